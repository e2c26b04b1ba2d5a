"""The bridge's small HTTP server on 127.0.0.1: health, deliveries and (in webhook mode) Telegram's webhook.

The webhook is PTB's "custom webhook" pattern: check Telegram's secret header,
put the update on the application's queue and answer 200 at once, so a slow
answer never delays the acknowledgement (Telegram would re-send the update).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Bot, Update

from connectors.telegram.deliver import Deliverer, DeliverRequest, InvalidButton

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass(frozen=True)
class WebhookTarget:
    path: str
    secret: str
    bot: Bot
    update_queue: asyncio.Queue[object]


def _same_secret(given: str | None, expected: str) -> bool:
    # compare_digest: the comparison time tells nothing about the secret.
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def _json_body(request: Request) -> Any:
    try:
        return json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        return None


def build_http_app(service_token: str, deliverer: Deliverer, webhook: WebhookTarget | None) -> Starlette:
    mode = "webhook" if webhook else "polling"

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "mode": mode})

    async def deliver(request: Request) -> Response:
        if not _same_secret(_bearer(request), service_token):
            return JSONResponse(
                {"detail": "Token di servizio mancante o non valido."},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        body = await _json_body(request)
        try:
            parsed = DeliverRequest.model_validate(body)
            messages = deliverer.prepare(parsed)
        except ValidationError as exc:
            errors = [{"loc": list(e["loc"]), "msg": e["msg"]} for e in exc.errors()]
            return JSONResponse({"detail": "Richiesta non valida.", "errors": errors}, status_code=422)
        except InvalidButton as exc:
            return JSONResponse({"detail": f"Richiesta non valida: {exc}."}, status_code=422)
        deliverer.schedule(parsed.chat_id, messages)
        return JSONResponse({"status": "accepted", "messages": len(messages)}, status_code=202)

    routes = [Route("/health", health, methods=["GET"]), Route("/internal/deliver", deliver, methods=["POST"])]

    if webhook is not None:

        async def telegram_webhook(request: Request) -> Response:
            if not _same_secret(request.headers.get(SECRET_HEADER), webhook.secret):
                return JSONResponse({"detail": "Accesso negato."}, status_code=403)
            data = await _json_body(request)
            if not isinstance(data, dict):
                return JSONResponse({"detail": "Il corpo deve essere un oggetto JSON."}, status_code=400)
            try:
                update = Update.de_json(data, webhook.bot)
            except Exception:  # whatever Telegram sent, a 500 would only make it re-send forever
                logger.exception("Update Telegram non interpretabile: ignorato")
                return Response(status_code=200)
            await webhook.update_queue.put(update)
            return Response(status_code=200)

        routes.append(Route(webhook.path, telegram_webhook, methods=["POST"]))

    return Starlette(routes=routes)
