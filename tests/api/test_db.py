"""Engine set-up, Alembic migrations and the UTC column type (SQLite)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from api.db import alembic_config, create_db_engine, safe_url, upgrade_database
from api.models import Base, Feedback


def _head() -> str | None:
    """The newest migration: the schema every start must reach."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Engine:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'a' / 'b' / 'test.db'}")
    upgrade_database(engine)
    return engine


def test_sqlite_parent_directories_are_created(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'nuova' / 'cartella' / 'x.db'}")
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    assert (tmp_path / "nuova" / "cartella" / "x.db").exists()


def test_sqlite_has_foreign_keys_on(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1


def test_in_memory_sqlite_works() -> None:
    engine = create_db_engine("sqlite://")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar_one() == 1


def test_postgresql_urls_are_used_unchanged() -> None:
    url = "postgresql+psycopg://utente:pw@db.example:5433/sportello"
    engine = create_db_engine(url)  # lazy: nothing connects
    assert engine.url.render_as_string(hide_password=False) == url
    assert engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg"
    assert safe_url(url) == "postgresql+psycopg://utente:***@db.example:5433/sportello"


def test_migration_creates_the_schema_at_head(sqlite_engine: Engine) -> None:
    inspector = inspect(sqlite_engine)
    assert {"feedback", "alembic_version"} <= set(inspector.get_table_names())
    with sqlite_engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == _head()


def test_migration_is_idempotent_and_keeps_the_data(sqlite_engine: Engine) -> None:
    with Session(sqlite_engine) as session:
        session.add(Feedback(conversation_id="c", channel="rest", topic_id="t", vote="up"))
        session.commit()
    upgrade_database(sqlite_engine)
    with Session(sqlite_engine) as session:
        assert session.scalars(select(Feedback.topic_id)).all() == ["t"]


def test_models_and_migrations_agree(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def test_downgrade_removes_the_schema(sqlite_engine: Engine) -> None:
    config = alembic_config()
    with sqlite_engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert "feedback" not in inspect(sqlite_engine).get_table_names()


def test_check_constraints_guard_the_data(sqlite_engine: Engine) -> None:
    for bad in (
        Feedback(conversation_id="c", channel="rest", topic_id="t", vote="meh"),
        Feedback(conversation_id="c", channel="rest", topic_id="t", vote="up", confidence=1.5),
    ):
        with Session(sqlite_engine) as session:
            session.add(bad)
            with pytest.raises(IntegrityError):
                session.commit()


def test_timestamps_are_stored_and_read_as_utc(sqlite_engine: Engine) -> None:
    rome = timezone(timedelta(hours=1))
    with Session(sqlite_engine) as session:
        session.add(
            Feedback(
                conversation_id="c",
                channel="rest",
                topic_id="t",
                vote="up",
                created_at=datetime(2026, 3, 1, 10, tzinfo=rome),
            )
        )
        session.commit()
    with Session(sqlite_engine) as session:
        created = session.scalars(select(Feedback.created_at)).one()
    assert created == datetime(2026, 3, 1, 9, tzinfo=timezone.utc)
    assert created.utcoffset() == timedelta(0)


def test_naive_timestamps_are_refused(sqlite_engine: Engine) -> None:
    with Session(sqlite_engine) as session:
        session.add(
            Feedback(conversation_id="c", channel="rest", topic_id="t", vote="up", created_at=datetime(2026, 1, 1))
        )
        with pytest.raises(StatementError, match="naive"):
            session.commit()
