"""Every monitoring store test runs on SQLite and on PostgreSQL (like tests/api/tickets/)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.monitoring.ingest import IngestResult, ingest
from api.settings import Settings
from tests.api.support import TOKEN

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
KEY = "chiave-di-prova-dei-pseudonimi-lunga-abbastanza"
LOW_CONFIDENCE = 0.6


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Overrides tests/api/conftest.py's SQLite-only settings: `app`, `client` and `engine` follow."""
    if request.param == "sqlite":
        database_url = f"sqlite:///{tmp_path / 'db' / 'api.db'}"
    else:
        database_url = request.getfixturevalue("postgres_url")
    return Settings(
        var_dir=tmp_path / "var",
        database_url=database_url,
        service_token=SecretStr(TOKEN),
        monitoring_key=SecretStr(KEY),
        review_low_confidence=LOW_CONFIDENCE,
        tracker_url=f"sqlite:///{tmp_path / 'tracker.db'}",
    )


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def store(engine: Engine) -> Callable[..., IngestResult]:
    """Ingest a batch of events, in a session of its own (as the route does)."""

    def run(events: list[dict[str, Any]], **kwargs: Any) -> IngestResult:
        with Session(engine) as session:
            return ingest(session, events, key=KEY, low_confidence=LOW_CONFIDENCE, **kwargs)

    return run
