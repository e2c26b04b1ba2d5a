"""Flood limits: a 429 is waited out and retried; chat messages are paced per chat."""

from __future__ import annotations

from typing import Any

from connectors.telegram.app import TelegramBridge
from connectors.telegram.ratelimit import ChatRateLimiter
from tests.connectors.telegram.conftest import CHAT
from tests.connectors.telegram.fake_telegram import FakeTelegram


async def test_a_429_is_retried_after_retry_after_and_the_message_arrives(
    telegram: FakeTelegram, polling_bridge: TelegramBridge
) -> None:
    telegram.fail_next("sendMessage", status=429, retry_after=1)

    await telegram.push(telegram.message_update(CHAT, "ciao"))
    (reply,) = await telegram.wait_sent(1, chat_id=CHAT)

    assert reply["shown_text"] == "Hai scritto: ciao"
    attempts = telegram.attempts("sendMessage")
    assert [a.ok for a in attempts] == [False, True]
    assert attempts[0].params["text"] == attempts[1].params["text"]


async def _call(limiter: ChatRateLimiter, endpoint: str, data: dict[str, Any]) -> Any:
    async def callback(*args: Any, **kwargs: Any) -> Any:
        return {"ok": endpoint}

    return await limiter.process_request(callback, (), {}, endpoint, data, None)


async def test_messages_to_a_chat_use_its_bucket_and_other_calls_are_not_paced() -> None:
    limiter = ChatRateLimiter(chat_burst=1, chat_period_s=60)

    assert await _call(limiter, "sendChatAction", {"chat_id": 5, "action": "typing"}) == {"ok": "sendChatAction"}
    assert await _call(limiter, "answerCallbackQuery", {"callback_query_id": "1"}) == {"ok": "answerCallbackQuery"}
    assert limiter._chat_limiters == {}

    assert await _call(limiter, "sendMessage", {"chat_id": 5, "text": "a"}) == {"ok": "sendMessage"}
    assert await _call(limiter, "sendMessage", {"chat_id": 6, "text": "a"}) == {"ok": "sendMessage"}

    # Chat 5 used its one-message burst: the next one would wait; chat 6 has its own bucket.
    assert set(limiter._chat_limiters) == {"5", "6"}
    assert not limiter._chat_limiters["5"].has_capacity()
