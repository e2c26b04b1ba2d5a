"""The FastAPI application: `uvicorn api.main:app`, or `create_app(settings)` in tests.

Importing this module has no side effects: settings are read, the database engine is
created and the Alembic migrations are applied when the app starts (lifespan), so a
fresh SQLite file or an empty PostgreSQL database just works.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from api.console.routes import install_console
from api.db import create_db_engine, safe_url, upgrade_database
from api.errors import install_error_handlers
from api.monitoring.routes import router as monitoring_router
from api.problem_docs import install_problem_docs
from api.routes import API_PREFIX, api_router
from api.routes.widget import install_widget
from api.settings import Settings, get_settings
from api.takeover import notices, rasa_client
from api.takeover.routes import router as takeover_router
from api.tickets.routes import router as tickets_router

logger = logging.getLogger(__name__)

VERSION = "0.1.0"


def create_app(settings: Settings | None = None) -> FastAPI:
    """The API; `settings` default to the environment's (`SPORTELLO_*`), read once."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        resolved = settings if settings is not None else get_settings()
        engine = create_db_engine(resolved.database_url)
        try:
            await run_in_threadpool(upgrade_database, engine)
        except Exception:
            logger.error("Impossibile preparare il database %s", safe_url(resolved.database_url))
            engine.dispose()
            raise
        app.state.settings = resolved
        app.state.engine = engine
        # Operators' messages and notices reach users through the Rasa server (api/takeover/).
        rasa_client.install(
            rasa_client.RasaClient(
                resolved.rasa_url, resolved.service_token.get_secret_value(), resolved.rasa_timeout_s
            )
        )
        notices.bind(asyncio.get_running_loop())
        try:
            yield
        finally:
            await notices.drain()
            notices.bind(None)
            engine.dispose()

    app = FastAPI(
        title="Sportello Welfare API",
        version=VERSION,
        description=(
            "Servizi dello Sportello Welfare: stato del servizio, voti 👍/👎 sulle risposte FAQ "
            "e richieste passate agli operatori (ticket)."
        ),
        lifespan=lifespan,
    )
    install_error_handlers(app)
    install_problem_docs(app)  # every error response documented as application/problem+json
    app.include_router(api_router)
    app.include_router(tickets_router, prefix=API_PREFIX)
    app.include_router(monitoring_router, prefix=API_PREFIX)
    app.include_router(takeover_router, prefix=API_PREFIX)
    install_widget(app)  # chat widget files and its demo page at "/"
    install_console(app)  # the operators' console: /console pages, /static/console files
    return app


app = create_app()
