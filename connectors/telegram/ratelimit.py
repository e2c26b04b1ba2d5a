"""Telegram's flood limits: about one message per second in a chat, back-off on 429.

PTB's AIORateLimiter covers the bot-wide limit (30 messages/s), groups
(20/minute) and waits out a 429's retry_after before retrying, but does not pace
single private chats. This adds a small leaky bucket per chat: a short burst
(an answer split in a few parts) goes out at once, then one message per second,
which is what Telegram asks for.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.ext import AIORateLimiter

# Methods that post something into a chat; chat actions and callback answers are not paced.
PACED_METHODS = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup", "copyMessage", "forwardMessage"})
_MAX_LIMITERS = 1024

Callback = Callable[..., Coroutine[Any, Any, Any]]


class ChatRateLimiter(AIORateLimiter):
    def __init__(self, *, chat_burst: int = 3, chat_period_s: float = 3.0, max_retries: int = 3) -> None:
        super().__init__(max_retries=max_retries)
        self._chat_burst = chat_burst
        self._chat_period_s = chat_period_s
        self._chat_limiters: dict[str, AsyncLimiter] = {}

    def _chat_limiter(self, chat_id: str) -> AsyncLimiter:
        if len(self._chat_limiters) > _MAX_LIMITERS:
            # Forget idle chats (a full bucket has nothing to remember).
            for key, limiter in list(self._chat_limiters.items()):
                if limiter.has_capacity(limiter.max_rate):
                    del self._chat_limiters[key]
        if chat_id not in self._chat_limiters:
            self._chat_limiters[chat_id] = AsyncLimiter(self._chat_burst, self._chat_period_s)
        return self._chat_limiters[chat_id]

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        chat_id = data.get("chat_id")
        if endpoint in PACED_METHODS and chat_id is not None and self._chat_burst > 0:
            limiter = self._chat_limiter(str(chat_id))
            inner = callback

            async def paced(*a: Any, **kw: Any) -> Any:
                async with limiter:
                    return await inner(*a, **kw)

            callback = paced
        return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
