"""The bridge's small HTTP server on 127.0.0.1: health, deliveries and (in webhook mode) Telegram's webhook.

The webhook is PTB's "custom webhook" pattern: check Telegram's secret header,
put the update on the application's queue and answer 200 at once, so a slow
answer never delays the acknowledgement (Telegram would re-send the update).
Every error, unknown routes included, is an RFC 9457 problem (sportello/problems.py).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Bot, Update

from connectors.telegram.deliver import Deliverer, DeliverRequest, InvalidButton
from sportello.auth import bearer_token_matches, token_matches
from sportello.problems import MEDIA_TYPE, field_error, invalid_request, problem

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
UNAUTHORIZED = "Autenticazione richiesta: token di servizio mancante o non valido."
FORBIDDEN = "Accesso negato: segreto del webhook mancante o errato."
NOT_JSON = "Il corpo della richiesta deve essere un oggetto JSON."
INVALID = "Richiesta non valida: controlla 'sender_id' e 'messages' (i dettagli in «errors»)."


@dataclass(frozen=True)
class WebhookTarget:
    path: str
    secret: str
    bot: Bot
    update_queue: asyncio.Queue[object]


def problem_response(body: dict[str, Any], headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=body["status"], headers=headers, media_type=MEDIA_TYPE)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    # Starlette's own detail is the English status phrase: the Italian default replaces it.
    return problem_response(problem(exc.status_code), exc.headers)


async def _internal_error(request: Request, exc: Exception) -> Response:
    return problem_response(problem(500))


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
        if not bearer_token_matches(request.headers.get("Authorization"), service_token):
            return problem_response(problem(401, UNAUTHORIZED), {"WWW-Authenticate": "Bearer"})
        body = await _json_body(request)
        try:
            parsed = DeliverRequest.model_validate(body)
            messages = deliverer.prepare(parsed)
        except ValidationError as exc:
            errors = [field_error(e["loc"], e["msg"].removeprefix("Value error, "), e["type"]) for e in exc.errors()]
            return problem_response(invalid_request(errors, INVALID))
        except InvalidButton as exc:
            return problem_response(
                invalid_request(
                    [field_error(["messages"], str(exc), "invalid_button")], f"Richiesta non valida: {exc}."
                )
            )
        deliverer.schedule(parsed.chat_id, messages)
        return JSONResponse({"status": "accepted", "messages": len(messages)}, status_code=202)

    routes = [Route("/health", health, methods=["GET"]), Route("/internal/deliver", deliver, methods=["POST"])]

    if webhook is not None:

        async def telegram_webhook(request: Request) -> Response:
            if not token_matches(request.headers.get(SECRET_HEADER, ""), webhook.secret):
                return problem_response(problem(403, FORBIDDEN))
            data = await _json_body(request)
            if not isinstance(data, dict):
                return problem_response(problem(400, NOT_JSON))
            try:
                update = Update.de_json(data, webhook.bot)
            except Exception:  # whatever Telegram sent, a 500 would only make it re-send forever
                logger.exception("Update Telegram non interpretabile: ignorato")
                return Response(status_code=200)
            await webhook.update_queue.put(update)
            return Response(status_code=200)

        routes.append(Route(webhook.path, telegram_webhook, methods=["POST"]))

    return Starlette(routes=routes, exception_handlers={HTTPException: _http_error, Exception: _internal_error})
