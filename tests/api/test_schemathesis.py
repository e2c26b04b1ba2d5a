"""Schemathesis over every operation of /openapi.json, with the service token: 0 failures.

The operations come from the schema itself, so a route added later is tested without
thinking of it. Every check is on (no server errors; status codes, content types, headers
and bodies as documented; invalid data refused and valid data accepted; authentication
not ignored; 405 with a complete `Allow`...), in the examples, coverage (boundaries,
wrong types, missing headers, undeclared methods) and fuzzing phases, with valid and
invalid data. The run is deterministic and bounded: derandomized with a fixed seed, a
fixed number of examples per operation, no example database.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from schemathesis import Case
from starlette.types import Receive, Scope, Send

from api.main import create_app
from api.settings import Settings
from tests.api.support import TOKEN

MAX_EXAMPLES = 25
IDEMPOTENCY_KEY = "Idempotency-Key"
KEYS = itertools.count()
# Schemathesis's own default for "valid data should be accepted".
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]


class StartedApp:
    """Forwards requests to an app started once, by `running_app`.

    Schemathesis's ASGI client runs the app's lifespan around every request: the settings
    would be read, and the migrations checked, hundreds of times.
    """

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await receive()
            await send({"type": "lifespan.startup.complete"})
            await receive()
            await send({"type": "lifespan.shutdown.complete"})
            return
        await self.app(scope, receive, send)


def config_for(openapi: dict[str, Any]) -> schemathesis.Config:
    # An operation that documents 400 says that well-formed input can still be refused
    # (an opaque pagination cursor that is not one of ours): for it, valid data may get 400.
    refusing = [
        operation["operationId"]
        for item in openapi["paths"].values()
        for operation in item.values()
        if "400" in operation.get("responses", {})
    ]
    return schemathesis.Config.from_dict(
        {
            "seed": 20260302,
            "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
            # As the schema declares it (HTTPBearer): schemathesis then knows the credentials are
            # valid and checks that the API refuses requests without them or with wrong ones.
            "auth": {"openapi": {"HTTPBearer": {"bearer": TOKEN}}},
            "checks": {"enabled": True},
            "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
            "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True}, "fuzzing": {"enabled": True}},
            "operations": [
                {
                    "include-operation-id": operation_id,
                    "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "400"]}},
                }
                for operation_id in refusing
            ],
        }
    )


# The schema of the app as served (building an app and its schema has no side effects);
# `running_app` then points TARGET at an app started on a fresh database.
TARGET = StartedApp(create_app())
schema = schemathesis.openapi.from_asgi("/openapi.json", TARGET, config=config_for(TARGET.app.openapi()))


@pytest.fixture(scope="module")
def running_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """The app on a fresh SQLite database, shared by the operations: tickets made by one are read by others."""
    tmp = tmp_path_factory.mktemp("schemathesis")
    app = create_app(Settings(var_dir=tmp, database_url=f"sqlite:///{tmp / 'api.db'}", service_token=SecretStr(TOKEN)))
    with TestClient(app):  # runs the lifespan: migrations applied, engine on app.state
        TARGET.app = app
        yield app


def test_every_operation_is_tested() -> None:
    documented = {(method.upper(), path) for path, item in TARGET.app.openapi()["paths"].items() for method in item}
    tested = {(op.ok().method.upper(), op.ok().path) for op in schema.get_all_operations()}
    assert tested == documented and len(tested) >= 4


@schema.parametrize()
def test_api(case: Case, running_app: FastAPI) -> None:
    key = (case.headers or {}).get(IDEMPOTENCY_KEY)
    if key and case.meta is not None and case.meta.generation.mode.is_positive:
        # A client uses a new Idempotency-Key for each new request (IETF httpapi draft);
        # reusing one for a different body is refused (422), as it should be.
        case.headers[IDEMPOTENCY_KEY] = f"{key[:16]}-{next(KEYS)}"
    case.call_and_validate()
