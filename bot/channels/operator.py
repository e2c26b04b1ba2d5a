"""Operator channel: how the API's console reaches the Rasa server (service token).

- `POST /webhooks/operator/say` {"sender_id", "text", "operator_name", "notice"?}: an
  operator's message (or a notice: someone joined, the assistant is back) goes into the
  user's conversation. It is recorded in the tracker as a BotUttered with metadata
  `{"operator": true, "operator_name": ...}` and delivered in the user's channel: to the
  web chat's open sockets (a user who is offline sees it in the history on return), or
  to Telegram through the bridge's `/internal/deliver` (accepted before it is recorded,
  so a message Telegram never got is not in the log either). An operator's message is
  signed with their display name, never their login.
- `POST /webhooks/operator/suggest` {"text"}: the ResponseSelector's best topics for the
  text, with the knowledge-base answer as the assistant would give it, its references
  and years: the console's suggested replies come from the same model as the assistant's.

Errors are RFC 9457 problem details, like every route of the project.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import Any

import aiohttp
from pydantic import BaseModel, constr
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.shared.core.events import BotUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.actions.decision import faq_candidates
from bot.channels import ownership, service_requests
from bot.channels.service_requests import NOT_READY
from bot.channels.settings import ChannelSettings, get_settings
from bot.channels.webchat import WebchatInput
from bot.kb.loader import load_knowledge_base
from bot.kb.model import KnowledgeBase
from bot.kb.render import render_answer
from sportello.identity import reserved_channel

logger = logging.getLogger(__name__)

NOT_REACHABLE = "Si può scrivere solo nelle conversazioni della chat web e di Telegram."
UNKNOWN_CONVERSATION = "Conversazione non trovata."
NOT_DELIVERED = "Il ponte Telegram non ha accettato il messaggio: riprova tra poco."
DELIVER_PATH = "/internal/deliver"
MAX_SUGGESTIONS = 3
# In a suggested answer `{contatti}` would point the user to an operator: they are talking to one.
OPERATOR_CONTACT = "scrivimi pure qui in chat."


class SayBody(BaseModel):
    sender_id: constr(strip_whitespace=True, min_length=1, max_length=128)  # type: ignore[valid-type]
    text: constr(strip_whitespace=True, min_length=1, max_length=4000)  # type: ignore[valid-type]
    operator_name: constr(strip_whitespace=True, min_length=1, max_length=80)  # type: ignore[valid-type]
    notice: bool = False

    class Config:
        extra = "forbid"


class SuggestBody(BaseModel):
    text: constr(strip_whitespace=True, min_length=1, max_length=4000)  # type: ignore[valid-type]

    class Config:
        extra = "forbid"


def shown_text(body: SayBody) -> str:
    """What the user reads: a notice as it is, an operator's message under their name."""
    return body.text if body.notice else f"**{body.operator_name}** (Sportello Welfare): {body.text}"


@lru_cache(maxsize=1)
def catalog() -> KnowledgeBase:
    return load_knowledge_base()


def suggestions(parse_data: dict[str, Any], kb: KnowledgeBase, limit: int = MAX_SUGGESTIONS) -> list[dict[str, Any]]:
    """The best topics of a parse, with what the console shows of each."""
    found = []
    for candidate in faq_candidates(parse_data, known=kb)[:limit]:
        topic = kb.get(candidate.topic_id)
        if topic is None:
            continue
        found.append(
            {
                "topic_id": topic.id,
                "title": topic.title,
                "answer": render_answer(topic, OPERATOR_CONTACT),
                "references": list(topic.references),
                "years": topic.years,
                "confidence": round(candidate.confidence, 4),
            }
        )
    return found


class OperatorInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "operator"

    def __init__(self, settings: ChannelSettings | None = None) -> None:
        self._settings = settings or get_settings()

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> OperatorInput:
        return cls()

    async def _deliver_telegram(self, sender: str, text: str) -> bool:
        url = f"{self._settings.telegram_url}{DELIVER_PATH}"
        body = {"sender_id": sender, "messages": [{"text": text}]}
        headers = {"Authorization": f"Bearer {self._settings.service_token}"}
        timeout = aiohttp.ClientTimeout(total=self._settings.api_timeout_s * 2)
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.post(url, json=body, headers=headers) as resp,
            ):
                if resp.status == 202:
                    return True
                logger.warning("Ponte Telegram: consegna a %s rifiutata (%s)", sender, resp.status)
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            logger.warning("Ponte Telegram non raggiungibile per %s: %r", sender, exc)
        return False

    async def _deliver_webchat(self, request: Request, sender: str, event: BotUttered) -> bool:
        channels = getattr(request.app.ctx, "input_channels", None) or []
        for channel in channels:
            if isinstance(channel, WebchatInput):
                return await channel.deliver(sender, [event])
        return False

    async def say(self, request: Request) -> HTTPResponse:
        body = service_requests.read(request, self._settings.service_token, SayBody)
        if isinstance(body, HTTPResponse):
            return body
        channel = reserved_channel(body.sender_id)
        if channel not in ("webchat", "telegram"):
            return service_requests.error(422, NOT_REACHABLE)
        agent = getattr(request.app.ctx, "agent", None)
        if agent is None or getattr(agent, "tracker_store", None) is None:
            return service_requests.error(503, NOT_READY)

        text = shown_text(body)
        metadata = {"operator": True, "operator_name": body.operator_name, "notice": body.notice}
        event = BotUttered(text, data={}, metadata=metadata, timestamp=time.time())
        async with agent.lock_store.lock(body.sender_id):
            tracker = await agent.tracker_store.retrieve(body.sender_id)
            if tracker is None:
                return service_requests.error(404, UNKNOWN_CONVERSATION)
            if channel == "telegram" and not await self._deliver_telegram(body.sender_id, text):
                return service_requests.error(503, NOT_DELIVERED)
            tracker.update(event)
            await agent.tracker_store.save(tracker)
        # Ownership changes when an operator joins or leaves: ask the API afresh next time.
        ownership.gate().forget(body.sender_id)
        delivered = True if channel == "telegram" else await self._deliver_webchat(request, body.sender_id, event)
        logger.info("Operatore: messaggio in %s (consegnato: %s)", body.sender_id, delivered)
        return response.json({"recorded": True, "delivered": delivered})

    async def suggest(self, request: Request) -> HTTPResponse:
        body = service_requests.read(request, self._settings.service_token, SuggestBody)
        if isinstance(body, HTTPResponse):
            return body
        agent = getattr(request.app.ctx, "agent", None)
        if agent is None or getattr(agent, "processor", None) is None:
            return service_requests.error(503, NOT_READY)
        # A text, never an intent: a leading "/" would make Rasa read it as a payload.
        parse_data = await agent.processor.parse_message(UserMessage(body.text.lstrip("/\\ ")))
        return response.json({"suggestions": suggestions(parse_data, catalog())})

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        operator = Blueprint("sportello_operator", __name__)

        @operator.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @operator.route("/say", methods=["POST"])
        async def say(request: Request) -> HTTPResponse:
            return await self.say(request)

        @operator.route("/suggest", methods=["POST"])
        async def suggest(request: Request) -> HTTPResponse:
            return await self.suggest(request)

        return operator
