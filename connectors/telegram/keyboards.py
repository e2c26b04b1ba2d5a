"""The bot's buttons as a Telegram inline keyboard.

Payloads arrive from the REST channel already signed for the conversation
(tokens of at most 64 bytes, Telegram's callback_data limit) and go out unchanged;
links become URL buttons. One button per row: topic titles are long.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from connectors.telegram.messages import Button

logger = logging.getLogger(__name__)

MAX_CALLBACK_DATA_BYTES = 64


def is_url(payload: str) -> bool:
    return payload.startswith(("https://", "http://"))


def fits_callback_data(payload: str) -> bool:
    return 1 <= len(payload.encode()) <= MAX_CALLBACK_DATA_BYTES


def inline_keyboard(buttons: Sequence[Button]) -> InlineKeyboardMarkup | None:
    rows: list[list[InlineKeyboardButton]] = []
    for button in buttons:
        if is_url(button.payload):
            rows.append([InlineKeyboardButton(button.title, url=button.payload)])
        elif fits_callback_data(button.payload):
            rows.append([InlineKeyboardButton(button.title, callback_data=button.payload)])
        else:
            # Telegram would refuse the whole message; losing one button is better.
            logger.warning("Pulsante «%s» omesso: payload oltre %d byte", button.title, MAX_CALLBACK_DATA_BYTES)
    return InlineKeyboardMarkup(rows) if rows else None
