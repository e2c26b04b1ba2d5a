"""Run an ASGI app on a free 127.0.0.1 port inside the test's event loop."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

import uvicorn

if TYPE_CHECKING:
    from tests.connectors.telegram.fake_rasa import FakeRasa
    from tests.connectors.telegram.fake_telegram import FakeTelegram


class _QuietServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def assert_a_duplicate_update_is_handled_once(telegram: FakeTelegram, rasa: FakeRasa, chat: int) -> None:
    """Push the same update twice, then another: Rasa and the chat see each message once."""
    update = telegram.message_update(chat, "una volta sola")
    await telegram.push(update)
    await telegram.push(update)
    await telegram.push(telegram.message_update(chat, "fine"))

    # Updates of a chat are processed in order: once "fine" is answered, the duplicate was seen.
    replies = await telegram.wait_sent(2, chat_id=chat)

    assert [r["shown_text"] for r in replies] == ["Hai scritto: una volta sola", "Hai scritto: fine"]
    assert [r["message"] for r in rasa.received] == ["una volta sola", "fine"]


@contextlib.asynccontextmanager
async def serve(app: Any) -> AsyncIterator[str]:
    """Serve `app` until the block ends; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = _QuietServer(
        uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", timeout_graceful_shutdown=2)
    )
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        assert not task.done(), "il server di prova non è partito"
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
