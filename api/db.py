"""Engine, sessions and schema migrations.

SQLite (the embedded default) gets foreign keys on and may be used from FastAPI's
worker threads; any other URL, e.g. postgresql+psycopg://..., is used unchanged.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.engine import URL

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def _sqlite_file(url: URL) -> Path | None:
    """The database file of a SQLite URL, None for in-memory databases."""
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:") or url.query.get("mode") == "memory":
        return None
    return Path(database)


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def safe_url(database_url: str | URL) -> str:
    """The URL without its password, for logs and messages."""
    return make_url(database_url).render_as_string(hide_password=True)


def create_db_engine(database_url: str, **kwargs: Any) -> Engine:
    url = make_url(database_url)
    if _is_sqlite(url):
        path = _sqlite_file(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        connect_args = {"check_same_thread": False, **kwargs.pop("connect_args", {})}
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def alembic_config(database_url: str | URL | None = None) -> Config:
    """Alembic configuration without an ini file (the lifespan and the tests use it)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if database_url is not None:
        url = database_url if isinstance(database_url, str) else database_url.render_as_string(hide_password=False)
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    """Apply the Alembic migrations up to `revision` on the engine's database."""
    config = alembic_config(engine.url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    logger.info("Database %s aggiornato alla revisione %s", safe_url(engine.url), revision)


@contextmanager
def temporary_schema(base_url: str, prefix: str) -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a schema made for the block, dropped after it.

    For tests and benchmarks: each run gets its own tables on a shared server. Raises
    sqlalchemy's OperationalError when the server cannot be reached.
    """
    admin = create_engine(base_url, connect_args={"connect_timeout": 5})
    try:
        with admin.connect():
            pass
        schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            yield (
                make_url(base_url)
                .update_query_dict({"options": f"-csearch_path={schema}"})
                .render_as_string(hide_password=False)
            )
        finally:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()
