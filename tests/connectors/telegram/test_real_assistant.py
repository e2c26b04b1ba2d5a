"""A Telegram user talks to the real assistant through the bridge (slow).

Starts the action server and the Rasa server with the trained model on free
ports (as run_all does), puts the bridge between them and the fake Bot API, and
chats: /start, a FAQ question, a button press.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bot.kb.loader import load_knowledge_base
from bot.kb.render import render_answer
from connectors.telegram.formatting import render_html
from connectors.telegram.settings import TelegramSettings
from scripts.run_all import ROOT, assistant_running, free_port
from tests.connectors.telegram.conftest import CHAT
from tests.connectors.telegram.fake_telegram import FakeTelegram, visible_text

pytestmark = pytest.mark.slow
MODEL = ROOT / "models" / "sportello.tar.gz"
BUTTON_SECRET = "segreto-e2e-telegram-abbastanza-lungo"
START_TIMEOUT_S = 240


@pytest.fixture(scope="module")
def rasa_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not MODEL.exists():
        pytest.skip("Modello assente (models/sportello.tar.gz): esegui `make train` per questo test")
    var_dir: Path = tmp_path_factory.mktemp("var")
    overrides = {
        "SPORTELLO_VAR_DIR": str(var_dir),
        "SPORTELLO_ACTIONS_PORT": free_port(),
        "SPORTELLO_RASA_PORT": free_port(),
        # No API here: votes fail politely (the action logs a warning) and nothing leaves 127.0.0.1.
        "SPORTELLO_API_URL": f"http://127.0.0.1:{free_port()}",
        "SPORTELLO_SERVICE_TOKEN": "token-e2e-telegram",
        "SPORTELLO_BUTTON_SECRET": BUTTON_SECRET,
    }
    with assistant_running(overrides, only=("azioni", "rasa"), timeout_s=START_TIMEOUT_S) as (_, by_name):
        yield by_name["rasa"].public_url


def _shown(markdown: str) -> str:
    return visible_text(render_html(markdown), "HTML")


async def test_start_question_and_button_press_through_telegram(
    rasa_url: str, telegram: FakeTelegram, start_bridge: Callable[..., Any], tmp_path: Path
) -> None:
    settings = TelegramSettings(
        telegram_token=SecretStr(telegram.token),
        telegram_api_base_url=telegram.base_url,
        telegram_port=0,
        rasa_url=rasa_url,
        rasa_timeout_s=60,
        var_dir=tmp_path / "bridge-var",
        service_token=SecretStr("token-e2e-telegram"),
        button_secret=SecretStr(BUTTON_SECRET),
    )
    await start_bridge(settings)
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
