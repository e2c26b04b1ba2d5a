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

from pydantic import BaseModel, constr, root_validator, validator
from rasa.shared.core.events import BotUttered
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import service_requests
from bot.channels.service_requests import NOT_READY
from bot.channels.webchat_session import conversation_of

logger = logging.getLogger(__name__)

INVALID = "Richiesta non valida: controlla 'sender_id' e 'messages' (i dettagli in «errors»)."
UNKNOWN_CONVERSATION = "Conversazione web non trovata."
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
        body = service_requests.read(request, expected_token(), PushBody, INVALID)
        if isinstance(body, HTTPResponse):
            return body

        agent = getattr(request.app.ctx, "agent", None)
        if agent is None or getattr(agent, "tracker_store", None) is None:
            return service_requests.error(503, NOT_READY)
        events = bot_events(body.messages)
        async with agent.lock_store.lock(body.sender_id):
            tracker = await agent.tracker_store.retrieve(body.sender_id)
            if tracker is None:
                return service_requests.error(404, UNKNOWN_CONVERSATION)
            for event in events:
                tracker.update(event)
            await agent.tracker_store.save(tracker)
        connected = await deliver(body.sender_id, events)
        logger.info("webchat: %d messaggi inviati a %s (connesso: %s)", len(events), body.sender_id, connected)
        return response.json({"recorded": len(events), "connected": connected})

    return push
