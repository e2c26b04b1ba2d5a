"""`python -m bot.actions.server`: the action server, for the Rasa server only.

`rasa run actions` listens on every interface and runs any action for anyone who can
reach it, and the actions call the API with the service token: a hand-made request
could vote, or open and read tickets, in someone else's conversation. This server
runs the same rasa-sdk app, bound to SPORTELLO_BIND_HOST (127.0.0.1 by default), and
refuses every request but the health check unless it carries the shared secret that
the Rasa server presents (endpoints.yml), compared in constant time. It also runs the
outbox's delivery task (bot/actions/outbox.py), so requests kept while the API was down
reach it, and their numbers reach the users, once it is back.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from dataclasses import asdict
from typing import Any

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.actions.clients.tickets import create_ticket
from bot.actions.escalation.submit import get_outbox, notify_ticket
from bot.actions.outbox import Outbox, run_forever
from bot.actions.settings import get_settings
from sportello import config
from sportello.auth import bearer_token_matches
from sportello.problems import MEDIA_TYPE, problem

logger = logging.getLogger(__name__)

ACTIONS_PACKAGE = "bot.actions"
PUBLIC_PATHS = frozenset({"/health"})
UNAUTHORIZED = "Autenticazione richiesta: il server delle azioni risponde solo al server Rasa."


async def _create(payload: dict[str, Any], key: str) -> dict[str, Any]:
    return asdict(await create_ticket(payload, key))


def build_app(secret: str, outbox: Outbox | None = None) -> Sanic:
    """The action server; with an `outbox`, also the task that delivers what it keeps."""
    if not secret:
        raise ValueError("il segreto del server delle azioni è vuoto")
    # No CORS: browsers have no business here.
    app = create_app(ACTIONS_PACKAGE, cors_origins="")

    if outbox is not None:

        @app.after_server_start
        async def start_outbox(app: Sanic, _loop: Any) -> None:
            pending = len(outbox)
            if pending:
                logger.info("Outbox: %d richieste da consegnare", pending)
            app.ctx.outbox_task = asyncio.create_task(run_forever(outbox, _create, notify_ticket))

        @app.before_server_stop
        async def stop_outbox(app: Sanic, _loop: Any) -> None:
            app.ctx.outbox_task.cancel()

    @app.on_request
    async def authenticate(request: Request) -> HTTPResponse | None:
        if request.path in PUBLIC_PATHS:
            return None
        if bearer_token_matches(request.headers.get("Authorization"), secret):
            return None
        logger.warning("Server delle azioni: richiesta non autenticata a %s rifiutata", request.path)
        return response.json(
            problem(401, UNAUTHORIZED),
            status=401,
            headers={"WWW-Authenticate": "Bearer"},
            content_type=MEDIA_TYPE,
        )

    return app


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = get_settings()
    except config.ConfigurationError as exc:
        print(exc, file=sys.stderr)
        return 2
    app = build_app(settings.actions_secret, get_outbox())
    logger.info("Server delle azioni su http://%s:%s", settings.bind_host, settings.actions_port)
    app.run(settings.bind_host, settings.actions_port, workers=1, access_log=False, motd=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
