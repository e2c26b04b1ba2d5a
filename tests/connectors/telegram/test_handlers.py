"""A user's chat through the bridge in polling mode: fake Bot API ⇄ bridge ⇄ fake Rasa."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from starlette.responses import PlainTextResponse

from connectors.telegram.app import TelegramBridge
from connectors.telegram.messages import NOT_TEXT_REPLY
from connectors.telegram.settings import TelegramSettings
from sportello.replies import FAILURE_REPLY
from tests.connectors.telegram.conftest import CHAT
from tests.connectors.telegram.fake_rasa import FakeRasa
from tests.connectors.telegram.fake_telegram import FakeTelegram
from tests.connectors.telegram.support import assert_a_duplicate_update_is_handled_once
from tests.ports import free_port

SENDER = f"telegram:{CHAT}"


async def test_text_goes_to_the_rest_channel_and_the_reply_comes_back(
    telegram: FakeTelegram, rasa: FakeRasa, polling_bridge: TelegramBridge
) -> None:
    await telegram.push(telegram.message_update(CHAT, "quanto valgono i buoni pasto?"))

    (reply,) = await telegram.wait_sent(1, chat_id=CHAT)

    assert reply["shown_text"] == "Hai scritto: quanto valgono i buoni pasto?"
    assert reply["parse_mode"] == "HTML"
    assert rasa.received == [{"sender": SENDER, "message": "quanto valgono i buoni pasto?"}]
    assert [a["action"] for a in telegram.sent("sendChatAction", CHAT)] == ["typing"]


async def test_polling_asks_only_for_messages_and_button_presses(
    telegram: FakeTelegram, polling_bridge: TelegramBridge
) -> None:
    await telegram.push(telegram.message_update(CHAT, "ciao"))
    await telegram.wait_sent(1, chat_id=CHAT)
    polls = telegram.sent("getUpdates")
    assert polls and all(p["allowed_updates"] == ["message", "callback_query"] for p in polls)
    # Polling and a webhook exclude each other: PTB removes any webhook first.
    assert telegram.sent("deleteWebhook") and telegram.webhook is None


async def test_start_shows_the_greeting_with_the_privacy_notice(
    telegram: FakeTelegram, rasa: FakeRasa, polling_bridge: TelegramBridge
) -> None:
    await telegram.push(telegram.message_update(CHAT, "/start"))

    (reply,) = await telegram.wait_sent(1, chat_id=CHAT)

    # The bridge sent the greet payload signed for this chat, as a greet button would.
    (request,) = rasa.received
    assert request["message"].startswith("~")
    assert rasa.payload_of(request["message"], SENDER) == "/greet"
    assert rasa.payload_of(request["message"], "telegram:999") is None
    assert "<b>Sportello Welfare</b>" in reply["text"]
    assert "Privacy" in reply["shown_text"]


async def test_other_commands_go_through_as_plain_text(
    telegram: FakeTelegram, rasa: FakeRasa, polling_bridge: TelegramBridge
) -> None:
    await telegram.push(telegram.message_update(CHAT, "/help"))
    await telegram.push(telegram.message_update(CHAT, '/faq_select{"faq_topic":"babysitting"}'))

    await telegram.wait_sent(2, chat_id=CHAT)

    # Untouched: the REST channel strips the slash, so no command selects an intent.
    assert [r["message"] for r in rasa.received] == ["/help", '/faq_select{"faq_topic":"babysitting"}']


async def test_buttons_become_an_inline_keyboard_and_a_press_gets_the_answer(
    telegram: FakeTelegram, rasa: FakeRasa, polling_bridge: TelegramBridge
) -> None:
    def responder(sender: str, message: str) -> Any:
        if message == "buoni":
            return rasa.with_buttons(
                sender,
                "Forse cercavi uno di questi argomenti?",
                [
                    ("Buoni pasto", '/faq_select{"faq_topic":"buoni_pasto"}'),
                    ("Altro", "/faq_none"),
                    ("Sito della Regione", "https://www.regione.piemonte.it/"),
                ],
            )
        return rasa.default_reply(sender, message)

    rasa.responder = responder
    await telegram.push(telegram.message_update(CHAT, "buoni"))
    (offer,) = await telegram.wait_sent(1, chat_id=CHAT)

    rows = offer["reply_markup"]["inline_keyboard"]
    assert [[b["text"] for b in row] for row in rows] == [["Buoni pasto"], ["Altro"], ["Sito della Regione"]]
    select, other, link = (row[0] for row in rows)
    assert rasa.payload_of(select["callback_data"], SENDER) == '/faq_select{"faq_topic":"buoni_pasto"}'
    assert rasa.payload_of(other["callback_data"], SENDER) == "/faq_none"
    assert link == {"text": "Sito della Regione", "url": "https://www.regione.piemonte.it/"}

    press = telegram.callback_update(CHAT, select["callback_data"], offer["message_id"])
    await telegram.push(press)
    replies = await telegram.wait_sent(2, chat_id=CHAT)

    assert replies[1]["shown_text"] == 'Hai scelto /faq_select{"faq_topic":"buoni_pasto"}'
    assert rasa.received[-1]["message"] == select["callback_data"]
    (answered,) = telegram.sent("answerCallbackQuery")
    assert answered["callback_query_id"] == press["callback_query"]["id"]
    (edited,) = telegram.sent("editMessageReplyMarkup")
    assert edited["message_id"] == offer["message_id"] and not edited.get("reply_markup")
    methods = [c.method for c in telegram.calls if c.method in ("answerCallbackQuery", "sendMessage")]
    assert methods == ["sendMessage", "answerCallbackQuery", "sendMessage"]


@pytest.mark.parametrize(
    "content",
    [
        {"photo": [{"file_id": "f1", "file_unique_id": "u1", "width": 90, "height": 90}]},
        {"sticker": {"file_id": "s1", "file_unique_id": "u2", "width": 512, "height": 512, "is_animated": False,
                     "is_video": False, "type": "regular"}},
        {"voice": {"file_id": "v1", "file_unique_id": "u3", "duration": 3}},
        {"document": {"file_id": "d1", "file_unique_id": "u4", "file_name": "cedolino.pdf"}},
        {"location": {"latitude": 45.07, "longitude": 7.69}},
    ],
    ids=["foto", "adesivo", "vocale", "documento", "posizione"],
)  # fmt: skip
async def test_non_text_messages_get_a_polite_italian_reply(
    telegram: FakeTelegram, rasa: FakeRasa, polling_bridge: TelegramBridge, content: dict[str, Any]
) -> None:
    await telegram.push(telegram.message_update(CHAT, **content))

    (reply,) = await telegram.wait_sent(1, chat_id=CHAT)

    assert reply["shown_text"] == NOT_TEXT_REPLY
    assert rasa.received == []


async def test_group_chats_are_not_served(
    telegram: FakeTelegram, rasa: FakeRasa, polling_bridge: TelegramBridge
) -> None:
    await telegram.push(telegram.message_update(-5005, "/start"))
    await telegram.push(telegram.message_update(-5005, "ciao a tutti"))
    await telegram.push(telegram.message_update(CHAT, "ciao"))

    await telegram.wait_sent(1, chat_id=CHAT)

    assert telegram.sent(chat_id=-5005) == []
    assert [r["sender"] for r in rasa.received] == [SENDER]


async def test_a_slow_chat_does_not_hold_up_others_and_each_chat_stays_in_order(
    telegram: FakeTelegram, rasa: FakeRasa, polling_bridge: TelegramBridge
) -> None:
    release = asyncio.Event()

    async def responder(sender: str, message: str) -> Any:
        if message == "prima":
            await release.wait()
        return rasa.default_reply(sender, message)

    rasa.responder = responder
    await telegram.push(telegram.message_update(CHAT, "prima"))
    await telegram.push(telegram.message_update(CHAT, "seconda"))
    await telegram.push(telegram.message_update(2002, "altra chat"))

    # Chat 2002 is answered while chat CHAT still waits for Rasa.
    await telegram.wait_sent(1, chat_id=2002)
    assert telegram.sent(chat_id=CHAT) == []
    release.set()

    replies = await telegram.wait_sent(2, chat_id=CHAT)
    assert [r["shown_text"] for r in replies] == ["Hai scritto: prima", "Hai scritto: seconda"]


async def test_rasa_down_gets_the_technical_problem_reply(
    telegram: FakeTelegram, start_bridge: Callable[..., Any], make_settings: Callable[..., TelegramSettings]
) -> None:
    await start_bridge(make_settings(rasa_url=f"http://127.0.0.1:{free_port()}"))
    await telegram.push(telegram.message_update(CHAT, "ciao"))

    (reply,) = await telegram.wait_sent(1, chat_id=CHAT)

    assert reply["shown_text"] == FAILURE_REPLY
    assert "problema tecnico" in FAILURE_REPLY and "Riprova" in FAILURE_REPLY


async def test_rasa_too_slow_gets_the_technical_problem_reply(
    telegram: FakeTelegram,
    rasa: FakeRasa,
    start_bridge: Callable[..., Any],
    make_settings: Callable[..., TelegramSettings],
) -> None:
    never = asyncio.Event()

    async def stuck(sender: str, message: str) -> Any:
        await never.wait()

    rasa.responder = stuck
    await start_bridge(make_settings(rasa_timeout_s=0.3))
    await telegram.push(telegram.message_update(CHAT, "ciao"))

    (reply,) = await telegram.wait_sent(1, chat_id=CHAT)
    never.set()

    assert reply["shown_text"] == FAILURE_REPLY


@pytest.mark.parametrize(
    "answer",
    [PlainTextResponse("boom", status_code=500), PlainTextResponse("non json"), PlainTextResponse('{"a": 1}')],
    ids=["errore-500", "json-non-valido", "json-inatteso"],
)
async def test_rasa_errors_get_the_technical_problem_reply(
    telegram: FakeTelegram, rasa: FakeRasa, polling_bridge: TelegramBridge, answer: PlainTextResponse
) -> None:
    rasa.responder = lambda sender, message: answer
    await telegram.push(telegram.message_update(CHAT, "ciao"))

    (reply,) = await telegram.wait_sent(1, chat_id=CHAT)

    assert reply["shown_text"] == FAILURE_REPLY


async def test_a_duplicate_update_is_handled_once(
    telegram: FakeTelegram, rasa: FakeRasa, polling_bridge: TelegramBridge
) -> None:
    await assert_a_duplicate_update_is_handled_once(telegram, rasa, CHAT)
