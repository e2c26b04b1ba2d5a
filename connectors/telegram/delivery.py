"""Send the bot's messages into a Telegram chat: HTML, split to size, buttons on the last part."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError

from connectors.telegram.formatting import html_to_text, to_telegram_html
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

    async def _send_chunk(self, chat_id: int, chunk: str, keyboard: InlineKeyboardMarkup | None) -> None:
        try:
            await self._bot.send_message(
                chat_id, chunk, parse_mode=ParseMode.HTML, reply_markup=keyboard, link_preview_options=_NO_PREVIEW
            )
        except BadRequest as exc:
            problem = str(exc).lower()
            if "parse entities" in problem:
                # Our escaping should make this impossible; if not, the plain text still reaches the user.
                logger.error("Telegram ha rifiutato l'HTML (chat %s): %s; invio come testo semplice", chat_id, exc)
                await self._bot.send_message(
                    chat_id, html_to_text(chunk), reply_markup=keyboard, link_preview_options=_NO_PREVIEW
                )
            elif "button" in problem and keyboard is not None:
                # A bad button (e.g. a URL Telegram refuses) must not cost the user the answer.
                logger.error("Telegram ha rifiutato i pulsanti (chat %s): %s; invio senza pulsanti", chat_id, exc)
                await self._bot.send_message(
                    chat_id, chunk, parse_mode=ParseMode.HTML, link_preview_options=_NO_PREVIEW
                )
            else:
                raise

    async def send_one(self, chat_id: int, message: BotMessage) -> None:
        text = message.text if message.text.strip() else BUTTONS_ONLY_TEXT
        keyboard = inline_keyboard(message.buttons)
        chunks = to_telegram_html(text)
        for index, chunk in enumerate(chunks):
            # Buttons belong under the end of the answer.
            await self._send_chunk(chat_id, chunk, keyboard if index == len(chunks) - 1 else None)

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
