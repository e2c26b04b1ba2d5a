"""Alembic environment: the database is the API's (`SPORTELLO_DATABASE_URL`).

Programmatic use (api.db.upgrade_database, run by the app's lifespan) hands over an
open connection; the command line (`alembic -c api/alembic.ini ...`) uses the URL of
the settings.
"""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

# Imported for their tables, which join Base.metadata (for autogenerate).
import api.console.models
import api.monitoring.models
import api.operators.models
import api.takeover.models
import api.tickets.models  # noqa: F401
from api.db import create_db_engine
from api.models import Base
from api.settings import get_settings

config = context.config
target_metadata = Base.metadata

if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _database_url() -> str:
    return config.get_main_option("sqlalchemy.url") or get_settings().database_url


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite has almost no ALTER TABLE
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=_database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_db_engine(_database_url())
    try:
        with engine.begin() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
