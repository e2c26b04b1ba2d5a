"""POST /webhooks/webchat/push: messages that reach a web chat without the user writing.

Operators (and any other trusted service) answer a web chat conversation here. The
messages are recorded as bot events in the tracker, so the widget replays them after
a reload, and sent at once to the conversation's open sockets, if any. Errors are
RFC 9457 problem details (sportello/problems.py); an invalid body lists each field in `errors`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel, ValidationError, constr, root_validator, validator
from rasa.shared.core.events import BotUttered
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.webchat_session import conversation_of
from sportello.auth import bearer_token_matches
from sportello.problems import MEDIA_TYPE, field_error, invalid_request, problem

logger = logging.getLogger(__name__)

UNAUTHORIZED = "Autenticazione richiesta: token di servizio mancante o non valido."
NOT_JSON = "Il corpo della richiesta deve essere un oggetto JSON."
INVALID = "Richiesta non valida: controlla 'sender_id' e 'messages' (i dettagli in «errors»)."
UNKNOWN_CONVERSATION = "Conversazione web non trovata."
NOT_READY = "Il server non è ancora pronto: riprova tra poco."
MAX_MESSAGES = 20
MAX_BUTTONS = 10

# pydantic 1's error types, in Italian; our own validators already speak Italian.
FIELD_MESSAGES = {
    "value_error.missing": "Campo obbligatorio.",
    "value_error.extra": "Campo non previsto.",
    "value_error.any_str.min_length": "Deve contenere almeno {limit_value} caratteri.",
    "value_error.any_str.max_length": "Può contenere al massimo {limit_value} caratteri.",
    "type_error.str": "Deve essere un testo.",
    "type_error.list": "Deve essere un elenco.",
    "type_error.dict": "Deve essere un oggetto JSON.",
}

# Sends recorded bot events to the conversation's sockets; True if any was connected.
Deliver = Callable[[str, list[BotUttered]], Awaitable[bool]]


class PushButton(BaseModel):
    title: constr(strip_whitespace=True, min_length=1, max_length=80)  # type: ignore[valid-type]
    payload: constr(strip_whitespace=True, min_length=1, max_length=256)  # type: ignore[valid-type]

    class Config:
        extra = "forbid"


class PushMessage(BaseModel):
    text: constr(strip_whitespace=True, max_length=4000) = ""  # type: ignore[valid-type]
    buttons: list[PushButton] = []

    class Config:
        extra = "forbid"

    @validator("buttons")
    def _few_buttons(cls, buttons: list[PushButton]) -> list[PushButton]:
        if len(buttons) > MAX_BUTTONS:
            raise ValueError(f"al massimo {MAX_BUTTONS} pulsanti per messaggio")
        return buttons

    @root_validator(skip_on_failure=True)
    def _not_empty(cls, values: dict[str, Any]) -> dict[str, Any]:
        if not values.get("text") and not values.get("buttons"):
            raise ValueError("ogni messaggio deve avere un testo o dei pulsanti")
        return values


class PushBody(BaseModel):
    sender_id: str
    messages: list[PushMessage]

    class Config:
        extra = "forbid"

    @validator("sender_id")
    def _web_sender(cls, sender_id: str) -> str:
        if conversation_of(sender_id) is None:
            raise ValueError("deve essere 'web:<id della conversazione>'")
        return sender_id

    @validator("messages")
    def _some_messages(cls, messages: list[PushMessage]) -> list[PushMessage]:
        if not 1 <= len(messages) <= MAX_MESSAGES:
            raise ValueError(f"da 1 a {MAX_MESSAGES} messaggi")
        return messages


def _error(body: dict[str, Any], headers: dict[str, str] | None = None) -> HTTPResponse:
    return response.json(body, status=body["status"], headers=headers, content_type=MEDIA_TYPE)


def field_errors(exc: ValidationError) -> list[dict[str, Any]]:
    errors = []
    for error in exc.errors():
        template = FIELD_MESSAGES.get(error["type"])
        try:
            message = template.format(**error.get("ctx", {})) if template else error["msg"]
        except (KeyError, IndexError):
            message = error["msg"]
        errors.append(field_error(error["loc"], message, error["type"]))
    return errors


def bot_events(messages: list[PushMessage]) -> list[BotUttered]:
    now = time.time()
    return [
        # Distinct timestamps keep the events' order and their message ids apart.
        BotUttered(
            m.text or None,
            data={"buttons": [b.dict() for b in m.buttons]} if m.buttons else {},
            metadata={"pushed": True},
            timestamp=now + i * 1e-6,
        )
        for i, m in enumerate(messages)
    ]


def push_handler(expected_token: Callable[[], str], deliver: Deliver) -> Callable[[Request], Awaitable[HTTPResponse]]:
    async def push(request: Request) -> HTTPResponse:
        if not bearer_token_matches(request.headers.get("Authorization"), expected_token()):
            return _error(problem(401, UNAUTHORIZED), {"WWW-Authenticate": "Bearer"})
        try:
            raw = request.json
        except Exception:  # sanic raises its own error types for bad JSON
            raw = None
        if not isinstance(raw, dict):
            return _error(problem(400, NOT_JSON))
        try:
            body = PushBody.parse_obj(raw)
        except ValidationError as exc:
            return _error(invalid_request(field_errors(exc), INVALID))

        agent = getattr(request.app.ctx, "agent", None)
        if agent is None or getattr(agent, "tracker_store", None) is None:
            return _error(problem(503, NOT_READY))
        events = bot_events(body.messages)
        async with agent.lock_store.lock(body.sender_id):
            tracker = await agent.tracker_store.retrieve(body.sender_id)
            if tracker is None:
                return _error(problem(404, UNKNOWN_CONVERSATION))
            for event in events:
                tracker.update(event)
            await agent.tracker_store.save(tracker)
        connected = await deliver(body.sender_id, events)
        logger.info("webchat: %d messaggi inviati a %s (connesso: %s)", len(events), body.sender_id, connected)
        return response.json({"recorded": len(events), "connected": connected})

    return push
