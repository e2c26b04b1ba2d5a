"""The same API on PostgreSQL (postgresql+psycopg), in a schema of its own per run.

Needs the server at 127.0.0.1:5432 (SPORTELLO_TEST_POSTGRES_URL to use another);
skipped when it is down, except in CI, where a missing server is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import inspect, make_url
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from api.db import alembic_config, create_db_engine, temporary_schema, upgrade_database
from api.deps import get_engine
from api.main import create_app
from api.models import Base, Feedback
from api.settings import Settings
from tests.api.support import AUTH, TOKEN, error_field, parse_utc, vote_payload

pytestmark = pytest.mark.postgres

BASE_URL = os.environ.get("SPORTELLO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _head() -> str | None:
    """The newest migration: the schema every start must reach."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@pytest.fixture(scope="module")
def schema_url() -> Iterator[str]:
    """A URL whose search_path is a fresh schema, dropped at the end."""
    try:
        with temporary_schema(BASE_URL, "api_test") as url:
            yield url
    except OperationalError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL non raggiungibile ({exc.orig})")


@pytest.fixture(scope="module")
def pg_client(schema_url: str) -> Iterator[TestClient]:
    settings = Settings(database_url=schema_url, service_token=SecretStr(TOKEN))
    with TestClient(create_app(settings)) as client:
        yield client


def test_migration_creates_the_schema_in_the_test_schema(pg_client: TestClient, schema_url: str) -> None:
    engine = create_db_engine(schema_url)
    try:
        schema = str(make_url(schema_url).query["options"]).split("=", 1)[1]
        assert {"feedback", "alembic_version"} <= set(inspect(engine).get_table_names(schema=schema))
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert context.get_current_revision() == _head()
            assert compare_metadata(context, Base.metadata) == []
        upgrade_database(engine)  # idempotent
    finally:
        engine.dispose()


def test_health(pg_client: TestClient) -> None:
    assert pg_client.get("/api/v1/health").json() == {"status": "ok", "database": "ok"}


def test_feedback_round_trip(pg_client: TestClient) -> None:
    sent = [
        vote_payload(conversation_id="pg-1", topic_id="buoni_pasto", vote="up", confidence=0.91),
        vote_payload(conversation_id="pg-2", topic_id="fringe_benefit", vote="down", confidence=None, question=None),
        vote_payload(conversation_id="pg-3", topic_id="buoni_pasto", vote="down", question="è giusto? «sì» 👍"),
    ]
    created = []
    for payload in sent:
        response = pg_client.post("/api/v1/feedback", json=payload, headers=AUTH)
        assert response.status_code == 201, response.text
        created.append(response.json())

    body = pg_client.get("/api/v1/feedback", headers=AUTH).json()
    assert body["count"] == 3
    assert [item["id"] for item in body["items"]] == [c["id"] for c in reversed(created)]
    for item, payload, made in zip(reversed(body["items"]), sent, created, strict=True):
        assert item == {**payload, "id": made["id"], "created_at": made["created_at"]}
        assert parse_utc(item["created_at"]).utcoffset() == timedelta(0)

    filtered = pg_client.get("/api/v1/feedback", params={"topic_id": "buoni_pasto", "vote": "down"}, headers=AUTH)
    assert [i["conversation_id"] for i in filtered.json()["items"]] == ["pg-3"]

    summary = pg_client.get("/api/v1/feedback/summary", headers=AUTH).json()["items"]
    assert summary == [
        {"topic_id": "fringe_benefit", "up": 0, "down": 1},
        {"topic_id": "buoni_pasto", "up": 1, "down": 1},
    ]


def test_the_database_enforces_the_vote_values(schema_url: str, pg_client: TestClient) -> None:
    engine = create_db_engine(schema_url)
    try:
        with Session(engine) as session:
            session.add(Feedback(conversation_id="c", channel="rest", topic_id="t", vote="meh"))
            with pytest.raises(IntegrityError):
                session.commit()
    finally:
        engine.dispose()


def test_data_survives_a_restart(schema_url: str, pg_client: TestClient) -> None:
    before = pg_client.get("/api/v1/feedback", headers=AUTH).json()["count"]
    settings = Settings(database_url=schema_url, service_token=SecretStr(TOKEN))
    with TestClient(create_app(settings)) as restarted:
        assert restarted.get("/api/v1/feedback", headers=AUTH).json()["count"] == before


def test_health_is_503_when_the_database_is_missing(pg_client: TestClient) -> None:
    missing = create_db_engine(str(make_url(BASE_URL).set(database=f"assente_{uuid.uuid4().hex[:8]}")))
    app = pg_client.app
    assert isinstance(app, FastAPI)
    app.dependency_overrides[get_engine] = lambda: missing
    try:
        response = pg_client.get("/api/v1/health")
        assert response.status_code == 503
        assert error_field(response, "database") == "non raggiungibile"
    finally:
        app.dependency_overrides.clear()
        missing.dispose()
    assert pg_client.get("/api/v1/health").status_code == 200
