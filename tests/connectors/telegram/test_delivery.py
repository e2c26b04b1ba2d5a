"""Sending into a chat when Telegram refuses part of a message: the user still gets the answer."""

from __future__ import annotations

from typing import Any

from connectors.telegram.app import TelegramBridge
from tests.connectors.telegram.conftest import CHAT
from tests.connectors.telegram.fake_rasa import FakeRasa
from tests.connectors.telegram.fake_telegram import FakeTelegram


async def test_if_telegram_refuses_the_html_the_text_goes_out_plain(
    telegram: FakeTelegram, rasa: FakeRasa, polling_bridge: TelegramBridge
) -> None:
    rasa.responder = lambda sender, message: [{"recipient_id": sender, "text": "**Buoni pasto** & <mense>"}]
    telegram.fail_next("sendMessage", status=400, retry_after=None, description="Bad Request: can't parse entities")

    await telegram.push(telegram.message_update(CHAT, "ciao"))
    (reply,) = await telegram.wait_sent(1, chat_id=CHAT)

    assert "parse_mode" not in reply
    assert reply["text"] == "Buoni pasto & <mense>"


async def test_if_telegram_refuses_a_button_the_answer_goes_out_without_buttons(
    telegram: FakeTelegram, rasa: FakeRasa, polling_bridge: TelegramBridge
) -> None:
    def responder(sender: str, message: str) -> Any:
        return rasa.with_buttons(sender, "Risposta", [("Sito", "https://intranet.example.test/")])

    rasa.responder = responder
    telegram.fail_next("sendMessage", status=400, retry_after=None, description="Bad Request: BUTTON_URL_INVALID")

    await telegram.push(telegram.message_update(CHAT, "ciao"))
    (reply,) = await telegram.wait_sent(1, chat_id=CHAT)

    assert reply["shown_text"] == "Risposta" and "reply_markup" not in reply


async def test_buttons_without_text_get_a_line_to_hang_on(
    telegram: FakeTelegram, rasa: FakeRasa, polling_bridge: TelegramBridge
) -> None:
    rasa.responder = lambda sender, message: [
        {"recipient_id": sender, "buttons": [{"title": "Sì", "payload": rasa.signer.sign("/affirm", sender)}]}
    ]

    await telegram.push(telegram.message_update(CHAT, "ciao"))
    (reply,) = await telegram.wait_sent(1, chat_id=CHAT)

    assert reply["shown_text"] == "Scegli una delle opzioni:"
    assert reply["reply_markup"]["inline_keyboard"][0][0]["text"] == "Sì"


async def test_a_user_who_blocked_the_bot_does_not_break_the_bridge(
    telegram: FakeTelegram, polling_bridge: TelegramBridge
) -> None:
    telegram.fail_next(
        "sendMessage", status=403, retry_after=None, description="Forbidden: bot was blocked by the user"
    )
    await telegram.push(telegram.message_update(CHAT, "primo"))
    await telegram.push(telegram.message_update(CHAT, "secondo"))

    (reply,) = await telegram.wait_sent(1, chat_id=CHAT)

    assert reply["shown_text"] == "Hai scritto: secondo"
