"""Stand-ins for the takeover tests: the API's conversation routes, the Telegram bridge's
delivery route (small aiohttp servers on free ports), and the part of Rasa's message
processor the ownership gate and the operator channel use.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from rasa.core.channels.channel import UserMessage
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from tests.bot.channels.conftest import SERVICE_TOKEN
from tests.ports import free_port

AUTH = f"Bearer {SERVICE_TOKEN}"


@asynccontextmanager
async def serving(app: web.Application) -> AsyncIterator[str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@dataclass
class FakeApi:
    """`GET/POST /api/v1/conversations/{id}/owner|messages`, as api/takeover/routes.py answers."""

    owners: dict[str, tuple[str, str]] = field(default_factory=dict)  # conversation -> (ticket, operator name)
    messages: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    owner_requests: list[str] = field(default_factory=list)
    # Ownership ends between the question and the message (a hand-back at that moment).
    released_on_message: bool = False
    # The API answers the question but fails to take the message (a database outage).
    failing_messages: bool = False
    url: str = ""

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/api/v1/conversations/{conversation}/owner", self._owner)
        app.router.add_post("/api/v1/conversations/{conversation}/messages", self._message)
        return app

    def _refused(self, request: web.Request) -> web.Response | None:
        if request.headers.get("Authorization") != AUTH:
            return web.json_response({"status": 401}, status=401)
        return None

    async def _owner(self, request: web.Request) -> web.Response:
        conversation = request.match_info["conversation"]
        self.owner_requests.append(conversation)
        refused = self._refused(request)
        if refused is not None:
            return refused
        owner = self.owners.get(conversation)
        return web.json_response(
            {
                "conversation_id": conversation,
                "owned": owner is not None,
                "ticket": owner[0] if owner else None,
                "operator_name": owner[1] if owner else None,
                "since": None,
            }
        )

    async def _message(self, request: web.Request) -> web.Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        conversation = request.match_info["conversation"]
        if self.failing_messages:
            return web.json_response({"status": 503}, status=503)
        if self.released_on_message:
            self.owners.pop(conversation, None)
        if conversation not in self.owners:
            return web.json_response({"status": 409, "detail": "non in carico"}, status=409)
        self.messages.append((conversation, await request.json()))
        return web.json_response({"id": len(self.messages), "ticket": self.owners[conversation][0]}, status=201)


@dataclass
class FakeBridge:
    """The Telegram bridge's `POST /internal/deliver` (202 = accepted)."""

    delivered: list[dict[str, Any]] = field(default_factory=list)
    status: int = 202

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/internal/deliver", self._deliver)
        return app

    async def _deliver(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != AUTH:
            return web.json_response({"status": 401}, status=401)
        if self.status == 202:
            self.delivered.append(await request.json())
        return web.json_response({"status": "accepted"}, status=self.status)


def parse(text: str) -> dict[str, Any]:
    """What the NLU reads, for the stand-in: a payload names its intent, text is a FAQ question."""
    intent = {"name": text[1:], "confidence": 1.0} if text.startswith("/") else {"name": "faq", "confidence": 0.82}
    ranking = [
        {"intent_response_key": "faq/buoni_pasto", "confidence": 0.7},
        {"intent_response_key": "faq/argomento_che_non_esiste", "confidence": 0.2},
        {"intent_response_key": "faq/fringe_soglie_2026", "confidence": 0.1},
    ]
    return {
        "text": text,
        "intent": intent,
        "entities": [],
        "response_selector": {"faq": {"ranking": ranking}},
    }


class StubProcessor:
    """Rasa's MessageProcessor, as far as the gate and the operator channel use it."""

    def __init__(self, tracker_store: TrackerStore) -> None:
        self.tracker_store = tracker_store
        self.parsed: list[str] = []

    async def parse_message(self, message: UserMessage, tracker: Any = None) -> dict[str, Any]:
        self.parsed.append(message.text or "")
        return parse(message.text or "")

    async def log_message(self, message: UserMessage, should_save_tracker: bool = True) -> DialogueStateTracker:
        tracker = await self.tracker_store.get_or_create_tracker(message.sender_id)
        data = message.parse_data or parse(message.text or "")
        tracker.update(
            UserUttered(
                message.text,
                data["intent"],
                data["entities"],
                data,
                input_channel=message.input_channel,
                message_id=message.message_id,
                metadata=message.metadata,
            )
        )
        if should_save_tracker:
            await self.save_tracker(tracker)
        return tracker

    async def save_tracker(self, tracker: DialogueStateTracker) -> None:
        await self.tracker_store.save(tracker)
