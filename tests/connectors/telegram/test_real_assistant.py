"""A Telegram user talks to the real assistant through the bridge (slow).

Starts the action server and the Rasa server with the trained model on free
ports (as run_all does), puts the bridge between them and the fake Bot API, and
chats: /start, a FAQ question, a button press; then asks for a person and fills the
escalation form with buttons and text, and gets a ticket answered in the chat itself.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bot.kb.loader import load_knowledge_base
from bot.kb.render import render_answer
from connectors.telegram.formatting import render_html
from connectors.telegram.settings import TelegramSettings
from scripts.run_all import ROOT, assistant_running, service_ports
from tests.connectors.telegram.conftest import CHAT
from tests.connectors.telegram.fake_telegram import FakeTelegram, visible_text

pytestmark = pytest.mark.slow
MODEL = ROOT / "models" / "sportello.tar.gz"
BUTTON_SECRET = "segreto-e2e-telegram-abbastanza-lungo"
TOKEN = "token-e2e-telegram"
START_TIMEOUT_S = 240


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    if not MODEL.exists():
        pytest.skip("Modello assente (models/sportello.tar.gz): esegui `make train` per questo test")
    var_dir: Path = tmp_path_factory.mktemp("var")
    overrides = {
        "SPORTELLO_VAR_DIR": str(var_dir),
        **service_ports(),
        "SPORTELLO_SERVICE_TOKEN": TOKEN,
        "SPORTELLO_BUTTON_SECRET": BUTTON_SECRET,
    }
    with assistant_running(overrides, only=("azioni", "rasa", "api"), timeout_s=START_TIMEOUT_S) as (_, by_name):
        yield {"rasa": by_name["rasa"].public_url, "api": by_name["api"].public_url}


@pytest.fixture
async def bridge(
    assistant: dict[str, str], telegram: FakeTelegram, start_bridge: Callable[..., Any], tmp_path: Path
) -> None:
    settings = TelegramSettings(
        telegram_token=SecretStr(telegram.token),
        telegram_api_base_url=telegram.base_url,
        telegram_port=0,
        rasa_url=assistant["rasa"],
        rasa_timeout_s=60,
        var_dir=tmp_path / "bridge-var",
        service_token=SecretStr(TOKEN),
        button_secret=SecretStr(BUTTON_SECRET),
    )
    await start_bridge(settings)


def _shown(markdown: str) -> str:
    return visible_text(render_html(markdown), "HTML")


async def test_start_question_and_button_press_through_telegram(bridge: None, telegram: FakeTelegram) -> None:
    kb = load_knowledge_base()

    # /start: the greeting with the privacy notice.
    await telegram.push(telegram.message_update(CHAT, "/start"))
    (greeting,) = await telegram.wait_sent(1, chat_id=CHAT, timeout=90)
    assert "Sportello Welfare" in greeting["shown_text"] and "Privacy" in greeting["shown_text"]
    assert "<b>Sportello Welfare</b>" in greeting["text"]

    # A FAQ question: the knowledge base answer, rendered for Telegram, with 👍/👎 buttons.
    await telegram.push(telegram.message_update(CHAT, "fino a quanto sono esenti i buoni pasto elettronici nel 2026?"))
    answer = (await telegram.wait_sent(2, chat_id=CHAT, timeout=90))[1]
    topic = kb.get("buoni_pasto")
    assert topic is not None
    assert answer["shown_text"] == _shown(render_answer(topic))
    buttons = [row[0] for row in answer["reply_markup"]["inline_keyboard"]]
    thumbs_up = buttons[0]
    assert thumbs_up["text"].startswith("👍") and thumbs_up["callback_data"].startswith("~")

    # The 👍 press: the callback is answered, then the thanks.
    await telegram.push(telegram.callback_update(CHAT, thumbs_up["callback_data"], answer["message_id"]))
    thanks = (await telegram.wait_sent(3, chat_id=CHAT, timeout=90))[2]
    assert thanks["shown_text"].startswith("Grazie del riscontro")
    assert len(telegram.sent("answerCallbackQuery")) == 1

    # A typed "/greet" is text, not the greet intent: the slash never selects an intent.
    await telegram.push(telegram.message_update(CHAT, "/greet"))
    typed = (await telegram.wait_sent(4, chat_id=CHAT, timeout=90))[3]
    assert typed["shown_text"] != greeting["shown_text"]
    assert telegram.sent(failed=True) == []


class Chat:
    """One Telegram user: what they send, and the bot's messages since the last turn."""

    def __init__(self, telegram: FakeTelegram, chat_id: int) -> None:
        self.telegram = telegram
        self.chat_id = chat_id
        self.seen = 0

    async def _replies(self, count: int) -> list[dict[str, Any]]:
        sent = await self.telegram.wait_sent(self.seen + count, chat_id=self.chat_id, timeout=90)
        new, self.seen = sent[self.seen :], len(sent)
        return new

    async def say(self, text: str, replies: int = 1) -> list[dict[str, Any]]:
        await self.telegram.push(self.telegram.message_update(self.chat_id, text))
        return await self._replies(replies)

    async def press(self, message: dict[str, Any], title: str, replies: int = 1) -> list[dict[str, Any]]:
        buttons = [b for row in message["reply_markup"]["inline_keyboard"] for b in row]
        (button,) = [b for b in buttons if b["text"] == title]
        await self.telegram.push(
            self.telegram.callback_update(self.chat_id, button["callback_data"], message["message_id"])
        )
        return await self._replies(replies)


async def test_a_telegram_user_reaches_a_person_who_can_answer_in_the_chat(
    assistant: dict[str, str], bridge: None, telegram: FakeTelegram
) -> None:
    chat = Chat(telegram, CHAT + 1)
    intro, name_question = await chat.say("voglio parlare con un operatore", replies=2)
    assert "annulla" in intro["shown_text"] and "Come ti chiami" in name_question["shown_text"]
    (contact_question,) = await chat.say("Giulia Neri")
    assert "qui su Telegram" in contact_question["shown_text"]
    (role_question,) = await chat.press(contact_question, "Sì, qui su Telegram")
    (company_question,) = await chat.press(role_question, "Datore di lavoro")
    (description_question,) = await chat.press(company_question, "Salta")
    assert "Descrivi" in description_question["shown_text"]
    (consent_question,) = await chat.say("Vorrei attivare un piano welfare per i miei dipendenti")
    assert "qui su Telegram" in consent_question["shown_text"] and "Datore di lavoro" in consent_question["shown_text"]
    (done,) = await chat.press(consent_question, "Sì, acconsento e invio")
    assert "SW-" in done["shown_text"]
    number = done["shown_text"].split("il numero è ")[1].split(".")[0].strip()

    request = urllib.request.Request(
        f"{assistant['api']}/api/v1/tickets/{number}", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    with urllib.request.urlopen(request, timeout=10) as resp:
        ticket = json.loads(resp.read())
    assert ticket["channel"] == "telegram" and ticket["conversation_id"] == f"telegram:{CHAT + 1}"
    assert ticket["contact"] == {"name": "Giulia Neri", "email": None, "phone": None, "via_chat": True}
    assert ticket["role"] == "datore" and ticket["company"] is None
    assert any(t["text"] == "voglio parlare con un operatore" for t in ticket["transcript"])
