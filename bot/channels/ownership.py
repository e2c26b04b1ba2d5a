"""The ownership gate: before the assistant answers, is a person answering this conversation?

Every channel (REST, bridge, web chat) calls `gate().intercept(agent, message)` once the
message has been screened. Ownership lives in the API (api/takeover/), not in the
tracker: Rasa's ConversationPaused is cleared silently by a new session (after the
60-minute expiry) and by a restart, and a paused conversation runs no action at all
(RasaHQ/rasa#8119). So a new session, a Rasa restart or a typed "/restart" never end a
takeover; only the operator's hand-back or closing the ticket does.

When an operator owns the conversation, the message is parsed (NLU only), handed to the
API for the console (`POST /api/v1/conversations/{id}/messages`), then recorded in the
tracker as a UserUttered with its intent and `metadata.owned_by`, followed by
action_listen, and the assistant says nothing. If the API cannot be reached the gate
fails open: the assistant answers, and the log says why.

The answer of `GET .../owner` is cached for a moment, so a busy conversation does not
ask the API at every message; the operator channel (operator.py) forgets a
conversation's entry whenever an operator writes to it, which is when ownership changes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted

from bot.channels.settings import ChannelSettings, get_settings

logger = logging.getLogger(__name__)

CACHE_S = 2.0
# After a failure, the assistant answers for this long without asking again: a down API
# must not add its timeout to every message.
FAILURE_CACHE_S = 5.0
CACHE_SIZE = 10_000


@dataclass(frozen=True)
class Ownership:
    owned: bool
    ticket: str | None = None
    operator_name: str | None = None

    def metadata(self) -> dict[str, Any]:
        return {"owned_by": {"ticket": self.ticket, "operator_name": self.operator_name}}


NOT_OWNED = Ownership(owned=False)


class ApiUnreachable(Exception):
    pass


class OwnershipGate:
    def __init__(
        self,
        api_url: str,
        service_token: str,
        timeout_s: float,
        cache_s: float = CACHE_S,
        failure_cache_s: float = FAILURE_CACHE_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._base = f"{api_url.rstrip('/')}/api/v1/conversations"
        self._headers = {"Authorization": f"Bearer {service_token}"}
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._cache_s = cache_s
        self._failure_cache_s = failure_cache_s
        self._clock = clock
        self._cache: OrderedDict[str, tuple[float, Ownership]] = OrderedDict()

    def _url(self, sender_id: str, what: str) -> str:
        return f"{self._base}/{quote(sender_id, safe='')}/{what}"

    def _remember(self, sender_id: str, ownership: Ownership, for_s: float) -> None:
        self._cache[sender_id] = (self._clock() + for_s, ownership)
        self._cache.move_to_end(sender_id)
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)

    def forget(self, sender_id: str) -> None:
        self._cache.pop(sender_id, None)

    async def _request(self, method: str, url: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        try:
            async with (
                aiohttp.ClientSession(timeout=self._timeout, headers=self._headers) as session,
                session.request(method, url, json=body) as resp,
            ):
                return resp.status, await resp.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            raise ApiUnreachable(repr(exc)) from exc

    async def owner(self, sender_id: str) -> Ownership:
        """Who answers this conversation; NOT_OWNED also when the API cannot say (fail open)."""
        cached = self._cache.get(sender_id)
        if cached is not None and cached[0] > self._clock():
            return cached[1]
        try:
            status, body = await self._request("GET", self._url(sender_id, "owner"))
            if status != 200 or not isinstance(body, dict):
                raise ApiUnreachable(f"risposta {status}")
        except ApiUnreachable as exc:
            logger.warning(
                "Proprietà della conversazione %s non verificabile, risponde l'assistente: %s", sender_id, exc
            )
            self._remember(sender_id, NOT_OWNED, self._failure_cache_s)
            return NOT_OWNED
        ownership = (
            Ownership(True, str(body.get("ticket") or ""), str(body.get("operator_name") or ""))
            if body.get("owned") is True
            else NOT_OWNED
        )
        self._remember(sender_id, ownership, self._cache_s)
        return ownership

    async def _forward(self, sender_id: str, text: str, parse_data: dict[str, Any]) -> bool:
        """Hand the message to the API; False when nobody owns the conversation any longer."""
        intent = parse_data.get("intent") or {}
        confidence = intent.get("confidence")
        body = {
            "text": text,
            "intent": intent.get("name"),
            "confidence": float(confidence) if isinstance(confidence, (int, float)) else None,
        }
        status, answer = await self._request("POST", self._url(sender_id, "messages"), body)
        if status == 201:
            return True
        if status == 409:
            return False
        raise ApiUnreachable(f"risposta {status}: {answer}")

    async def intercept(self, agent: Any, message: UserMessage) -> bool:
        """True when an operator owns the conversation: the message is kept and the assistant must not answer."""
        try:
            return await self._intercept(agent, message)
        except Exception:  # whatever broke, the user must not be left without an answer
            logger.exception("Controllo della proprietà di %s non riuscito: risponde l'assistente", message.sender_id)
            return False

    async def _intercept(self, agent: Any, message: UserMessage) -> bool:
        sender = message.sender_id
        ownership = await self.owner(sender)
        if not ownership.owned:
            return False
        processor = getattr(agent, "processor", None)
        if processor is None:
            logger.error(
                "Conversazione %s in carico a un operatore, ma Rasa non è pronto: risponde l'assistente", sender
            )
            return False
        parse_data = await processor.parse_message(UserMessage(message.text, sender_id=sender))
        try:
            owned = await self._forward(sender, message.text or "", parse_data)
        except ApiUnreachable as exc:
            logger.warning("Messaggio di %s non passato all'operatore, risponde l'assistente: %s", sender, exc)
            self._remember(sender, NOT_OWNED, self._failure_cache_s)
            return False
        if not owned:  # handed back meanwhile: the assistant answers this one
            self._remember(sender, NOT_OWNED, self._cache_s)
            return False
        await self._record(agent, message, parse_data, ownership)
        return True

    async def _record(self, agent: Any, message: UserMessage, parse_data: dict[str, Any], owner: Ownership) -> None:
        """The user's message in the tracker, with its intent, for the log; nobody answers it."""
        kept = UserMessage(
            message.text,
            CollectingOutputChannel(),  # a new session's start says nothing to the user now
            message.sender_id,
            parse_data=parse_data,
            input_channel=message.input_channel,
            message_id=message.message_id,
            metadata={**(message.metadata or {}), **owner.metadata()},
        )
        try:
            async with agent.lock_store.lock(message.sender_id):
                tracker = await agent.processor.log_message(kept, should_save_tracker=False)
                tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
                await agent.processor.save_tracker(tracker)
        except Exception:  # the operator has the message already; the log misses one line
            logger.exception("Messaggio di %s (in carico a un operatore) non registrato nel tracker", message.sender_id)


def from_settings(settings: ChannelSettings) -> OwnershipGate:
    return OwnershipGate(settings.api_url, settings.service_token, settings.api_timeout_s)


_gate: tuple[ChannelSettings, OwnershipGate] | None = None


def gate() -> OwnershipGate:
    """The process's gate: one cache shared by every channel and the operator channel."""
    global _gate
    settings = get_settings()
    if _gate is None or _gate[0] is not settings:  # new settings (tests): a new gate
        _gate = (settings, from_settings(settings))
    return _gate[1]
