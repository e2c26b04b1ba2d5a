"""Send the bot's messages into a Telegram chat: HTML, split to size, buttons on the last part."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError

from connectors.telegram.formatting import to_plain_text, to_telegram_html
from connectors.telegram.keyboards import inline_keyboard
from connectors.telegram.messages import BUTTONS_ONLY_TEXT, BotMessage

logger = logging.getLogger(__name__)

# Answers cite laws, not web pages: previews would only clutter the chat.
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class TelegramSender:
    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    @property
    def bot(self) -> Bot:
        return self._bot

    async def _send_chunks(
        self, chat_id: int, chunks: list[str], keyboard: InlineKeyboardMarkup | None, parse_mode: str | None
    ) -> None:
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            await self._bot.send_message(
                chat_id,
                chunk,
                parse_mode=parse_mode,
                reply_markup=keyboard if last else None,
                link_preview_options=_NO_PREVIEW,
            )

    async def send_one(self, chat_id: int, message: BotMessage) -> None:
        text = message.text if message.text.strip() else BUTTONS_ONLY_TEXT
        keyboard = inline_keyboard(message.buttons)
        try:
            await self._send_chunks(chat_id, to_telegram_html(text), keyboard, ParseMode.HTML)
        except BadRequest as exc:
            if "parse entities" not in str(exc).lower():
                raise
            # Our escaping should make this impossible; if not, plain text still reaches the user.
            logger.error("Telegram ha rifiutato l'HTML (chat %s): %s; invio come testo semplice", chat_id, exc)
            await self._send_chunks(chat_id, to_plain_text(text), keyboard, None)

    async def send(self, chat_id: int, messages: Sequence[BotMessage]) -> bool:
        """Send in order; False (and a log line) if Telegram refuses, e.g. the user blocked the bot."""
        try:
            for message in messages:
                await self.send_one(chat_id, message)
        except Forbidden as exc:
            logger.info("Chat %s non raggiungibile (bot bloccato o chat chiusa): %s", chat_id, exc)
            return False
        except TelegramError as exc:
            logger.warning("Invio a Telegram non riuscito (chat %s): %r", chat_id, exc)
            return False
        return True
