"""POST /webhooks/webchat/push: messages that reach a web chat without the user writing.

Operators (and any other trusted service) answer a web chat conversation here. The
messages are recorded as bot events in the tracker, so the widget replays them after
a reload, and sent at once to the conversation's open sockets, if any.
"""

from __future__ import annotations

import hmac
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

logger = logging.getLogger(__name__)

UNAUTHORIZED = "Autenticazione richiesta: token di servizio mancante o non valido."
NOT_JSON = "Il corpo della richiesta deve essere un oggetto JSON."
INVALID = "Richiesta non valida: controlla 'sender_id' e 'messages'."
UNKNOWN_CONVERSATION = "Conversazione web non trovata."
NOT_READY = "Il server non è ancora pronto: riprova tra poco."
MAX_MESSAGES = 20
MAX_BUTTONS = 10

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


def bearer_token_matches(header: str | None, expected: str) -> bool:
    scheme, _, given = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip() or not expected:
        return False
    return hmac.compare_digest(given.strip().encode(), expected.encode())


def _error(message: str, status: int, **extra: Any) -> HTTPResponse:
    return response.json({"error": message, **extra}, status=status)


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
            return response.json({"error": UNAUTHORIZED}, status=401, headers={"WWW-Authenticate": "Bearer"})
        try:
            raw = request.json
        except Exception:  # sanic raises its own error types for bad JSON
            raw = None
        if not isinstance(raw, dict):
            return _error(NOT_JSON, 400)
        try:
            body = PushBody.parse_obj(raw)
        except ValidationError as exc:
            details = [{"loc": list(e["loc"]), "msg": e["msg"]} for e in exc.errors()]
            return _error(INVALID, 422, details=details)

        agent = getattr(request.app.ctx, "agent", None)
        if agent is None or getattr(agent, "tracker_store", None) is None:
            return _error(NOT_READY, 503)
        events = bot_events(body.messages)
        async with agent.lock_store.lock(body.sender_id):
            tracker = await agent.tracker_store.retrieve(body.sender_id)
            if tracker is None:
                return _error(UNKNOWN_CONVERSATION, 404)
            for event in events:
                tracker.update(event)
            await agent.tracker_store.save(tracker)
        connected = await deliver(body.sender_id, events)
        logger.info("webchat: %d messaggi inviati a %s (connesso: %s)", len(events), body.sender_id, connected)
        return response.json({"recorded": len(events), "connected": connected})

    return push
