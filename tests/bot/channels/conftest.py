"""A web chat channel on a real Sanic server (free local port), with a stand-in for Rasa.

The stand-in records what reaches `on_new_message` and behaves like Rasa's message
processor: it answers "Hai scritto: <text>" with a 👍 button (no button to "ciao"),
stores the user and bot events in an in-memory tracker store (so the history replay
can be tested) and sends the bot event through the output channel, as Rasa does.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import socketio
from rasa.core.channels.channel import UserMessage
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Sanic

from bot.channels.settings import get_settings
from bot.channels.webchat import WebchatInput
from tests.ports import free_port

SERVICE_TOKEN = "token-di-servizio-di-prova"
BUTTON_SECRET = "segreto-dei-pulsanti-di-prova"
SOCKETIO_PATH = "/webhooks/webchat/socket.io"
THUMBS_UP = {"title": "👍 Utile", "payload": "/feedback_positive"}
EVENT_TIMEOUT_S = 10  # only so that a broken test fails instead of hanging


@pytest.fixture
def channel_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """No test reads the developer's SPORTELLO_* variables or writes the repository's .var/."""
    for name in list(os.environ):
        if name.startswith("SPORTELLO_"):
            monkeypatch.delenv(name)
    var_dir = tmp_path / "var"
    monkeypatch.setenv("SPORTELLO_VAR_DIR", str(var_dir))
    monkeypatch.setenv("SPORTELLO_BUTTON_SECRET", BUTTON_SECRET)
    monkeypatch.setenv("SPORTELLO_SERVICE_TOKEN", SERVICE_TOKEN)
    get_settings.cache_clear()
    yield var_dir
    get_settings.cache_clear()


@dataclass
class StubAgent:
    """What the channel uses of Rasa's Agent: its tracker store and lock store."""

    tracker_store: InMemoryTrackerStore = field(default_factory=lambda: InMemoryTrackerStore(Domain.empty()))
    lock_store: InMemoryLockStore = field(default_factory=InMemoryLockStore)


@dataclass
class WebchatServer:
    url: str
    channel: WebchatInput
    agent: StubAgent
    received: list[UserMessage]


@pytest.fixture
async def webchat_server(channel_env: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[WebchatServer]:
    # Sanic rewrites its own methods when an app starts; test mode lets it do so for
    # one app after another in the same process.
    monkeypatch.setattr(Sanic, "test_mode", True)
    agent = StubAgent()
    received: list[UserMessage] = []

    async def on_new_message(message: UserMessage) -> None:
        received.append(message)
        if message.text == "guasto":
            raise RuntimeError("errore simulato")
        tracker = await agent.tracker_store.get_or_create_tracker(message.sender_id)
        tracker.update(UserUttered(message.text, message_id=message.message_id, input_channel=message.input_channel))
        # The data of Rasa's own bot events: every key, mostly None.
        buttons = None if message.text == "ciao" else [THUMBS_UP]
        data = {"elements": None, "quick_replies": None, "buttons": buttons, "attachment": None, "image": None}
        bot = BotUttered(f"Hai scritto: {message.text}", data={**data, "custom": None})
        tracker.update(bot)
        await agent.tracker_store.save(tracker)
        await message.output_channel.send_response(message.sender_id, bot.message())

    channel = WebchatInput()
    app = Sanic(f"webchat_test_{uuid.uuid4().hex}")
    app.ctx.agent = agent
    app.blueprint(channel.blueprint(on_new_message), url_prefix="/webhooks/webchat")
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    assert server is not None
    await server.startup()
    await server.before_start()
    await server.after_start()
    try:
        yield WebchatServer(f"http://127.0.0.1:{port}", channel, agent, received)
    finally:
        assert channel.sio is not None
        await channel.sio.shutdown()
        # engine.io sleeps a whole ping interval (25 s) in a task per socket: cancel them.
        for task in asyncio.all_tasks():
            if task.get_coro().__qualname__.endswith("AsyncSocket._send_ping"):  # type: ignore[union-attr]
                task.cancel()
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()


class ChatClient:
    """A socket.io client that keeps every event it receives, in order."""

    def __init__(self) -> None:
        self.token = ""
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        for name in ("session_confirm", "bot_uttered", "bot_typing", "user_uttered"):
            self.sio.on(name, self._keeper(name))

    def _keeper(self, name: str) -> Any:
        async def keep(data: Any) -> None:
            await self.events.put((name, data))

        return keep

    async def connect(self, url: str) -> None:
        # Polling: engineio's websocket client needs a newer aiohttp than Rasa pins.
        await self.sio.connect(url, socketio_path=SOCKETIO_PATH, transports=["polling"])

    async def next(self, name: str) -> Any:
        """The next event called `name`, skipping others."""
        while True:
            event, data = await asyncio.wait_for(self.events.get(), EVENT_TIMEOUT_S)
            if event == name:
                return data

    async def next_any(self, names: tuple[str, ...], timeout_s: float = EVENT_TIMEOUT_S) -> tuple[str, Any]:
        """The next event whose name is in `names`, skipping others."""
        while True:
            event, data = await asyncio.wait_for(self.events.get(), timeout_s)
            if event in names:
                return event, data

    async def reply(self, text: str, timeout_s: float = EVENT_TIMEOUT_S) -> str:
        """Say `text`; the bot's messages until it is done typing, joined."""
        await self.say(text)
        messages = []
        while True:
            event, data = await self.next_any(("bot_uttered", "bot_typing"), timeout_s=timeout_s)
            if event == "bot_uttered":
                messages.append(data["text"])
            elif data == {"on": False}:
                return "\n".join(messages)

    async def session(self, token: str | None = None) -> dict[str, Any]:
        await self.sio.emit("session_request", {"token": token} if token is not None else {})
        confirm: dict[str, Any] = await self.next("session_confirm")
        self.token = str(confirm["token"])
        return confirm

    @property
    def sender_id(self) -> str:
        """Rasa's sender id of this client's conversation (the id is the token's first part)."""
        return "web:" + self.token.split(".", 1)[0]

    async def say(self, message: object, message_id: str | None = None, **extra: Any) -> dict[str, Any]:
        data = {"message": message, "id": message_id or uuid.uuid4().hex, **extra}
        ack: dict[str, Any] = await self.sio.call("user_uttered", data, timeout=EVENT_TIMEOUT_S)
        return ack

    async def close(self) -> None:
        # Without abort the client waits for the pending long-poll to time out (~30 s).
        await self.sio.eio.disconnect(abort=True)


@pytest.fixture
async def connect(webchat_server: WebchatServer) -> AsyncIterator[Any]:
    """connect() -> a new ChatClient connected to the test server; all closed at the end."""
    clients: list[ChatClient] = []

    async def make() -> ChatClient:
        client = ChatClient()
        await client.connect(webchat_server.url)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()
