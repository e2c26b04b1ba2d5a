"""The fake Bot API and the bridge on an event loop of their own, in a background thread.

For tests that drive something synchronous at the same time: Playwright's sync API (the
browser tests) refuses to run inside a running event loop, so the Telegram side cannot
share the test's loop. `TelegramUser` is one person chatting with the bot, seen from the
test's thread.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from typing import Any, TypeVar

from connectors.telegram.app import TelegramBridge
from connectors.telegram.settings import TelegramSettings
from tests.connectors.telegram.fake_telegram import FakeTelegram
from tests.connectors.telegram.support import serve

T = TypeVar("T")
START_TIMEOUT_S = 60.0


class TelegramInThread:
    """What the test's thread may ask of the loop that runs the fake Bot API and the bridge."""

    def __init__(self, loop: asyncio.AbstractEventLoop, telegram: FakeTelegram) -> None:
        self.loop = loop
        self.telegram = telegram

    def run(self, coroutine: Coroutine[Any, Any, T], timeout_s: float) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout_s)

    def user(self, chat_id: int, timeout_s: float = 90.0) -> TelegramUser:
        return TelegramUser(self, chat_id, timeout_s)


class TelegramUser:
    """One Telegram user: what they send, and the bot's messages since the last turn.

    `replies(n)` waits (event-driven; `timeout_s` only so that a broken test fails
    instead of hanging) until the bot has sent `n` more messages to this chat.
    """

    def __init__(self, side: TelegramInThread, chat_id: int, timeout_s: float) -> None:
        self.side = side
        self.chat_id = chat_id
        self.timeout_s = timeout_s
        self.seen = 0

    def sent(self) -> list[dict[str, Any]]:
        """Every message the bot has sent to this chat so far."""
        return self.side.telegram.sent(chat_id=self.chat_id)

    def replies(self, count: int) -> list[dict[str, Any]]:
        telegram = self.side.telegram
        wait = telegram.wait_sent(self.seen + count, chat_id=self.chat_id, timeout=self.timeout_s)
        sent = self.side.run(wait, self.timeout_s + 5)
        new, self.seen = sent[self.seen :], len(sent)
        return new

    def say(self, text: str, replies: int = 1) -> list[dict[str, Any]]:
        telegram = self.side.telegram
        self.side.run(telegram.push(telegram.message_update(self.chat_id, text)), self.timeout_s)
        return self.replies(replies)

    def press(self, message: dict[str, Any], title: str, replies: int = 1) -> list[dict[str, Any]]:
        """Press the inline button `title` under the bot's `message`."""
        buttons = [b for row in message["reply_markup"]["inline_keyboard"] for b in row]
        (button,) = [b for b in buttons if b["text"] == title]
        telegram = self.side.telegram
        update = telegram.callback_update(self.chat_id, button["callback_data"], message["message_id"])
        self.side.run(telegram.push(update), self.timeout_s)
        return self.replies(replies)


@contextmanager
def telegram_in_thread(settings: Callable[[str, str], TelegramSettings]) -> Iterator[TelegramInThread]:
    """A fake Bot API and a polling bridge, running until the block ends.

    `settings(api_base_url, token)` gives the bridge's settings once the fake serves.
    """
    loop = asyncio.new_event_loop()
    ready: Future[TelegramInThread] = Future()
    stopping = asyncio.Event()

    async def main() -> None:
        telegram = FakeTelegram()  # made on this loop: its Condition belongs here
        async with serve(telegram.app) as url:
            telegram.base_url = url
            bridge = TelegramBridge(settings(url, telegram.token), poll_timeout_s=1)
            await bridge.start()
            try:
                ready.set_result(TelegramInThread(loop, telegram))
                await stopping.wait()
            finally:
                await bridge.stop()
                await telegram.close()

    def thread_main() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(main())
        except BaseException as exc:  # reported to the test's thread, which is waiting for `ready`
            if not ready.done():
                ready.set_exception(exc)
            else:
                raise
        finally:
            loop.close()

    thread = threading.Thread(target=thread_main, name="telegram-e2e", daemon=True)
    thread.start()
    try:
        yield ready.result(START_TIMEOUT_S)
    finally:
        if not loop.is_closed():
            loop.call_soon_threadsafe(stopping.set)
        thread.join(timeout=30)
