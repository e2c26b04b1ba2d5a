"""A person takes over a Telegram chat with the real assistant, then hands it back (slow).

The action server and Rasa (trained model) run as processes; the API runs in this
process (uvicorn in a thread), so the test can follow the console's live feed; the
bridge sits between Rasa and the fake Bot API. The operator acts through the console's
service (api/takeover/service.py), as the console's buttons do.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from pydantic import SecretStr
from sqlalchemy.orm import Session

from api import live
from api.db import create_db_engine
from api.main import create_app
from api.operators.models import Operator
from api.settings import Settings
from api.takeover import service
from bot.kb.loader import load_knowledge_base
from bot.kb.render import render_answer
from connectors.telegram.formatting import render_html
from connectors.telegram.settings import TelegramSettings
from scripts.run_all import ROOT, assistant_running, free_port
from tests.connectors.telegram.conftest import CHAT
from tests.connectors.telegram.fake_telegram import FakeTelegram, visible_text

pytestmark = pytest.mark.slow
MODEL = ROOT / "models" / "sportello.tar.gz"
BUTTON_SECRET = "segreto-e2e-telegram-presa-in-carico"
TOKEN = "token-e2e-telegram-presa-in-carico"
WAIT_S = 90  # only so that a broken test fails instead of hanging


@dataclass
class Assistant:
    rasa_url: str
    api: Settings
    telegram_port: int


@contextmanager
def api_serving(settings: Settings, port: int) -> Iterator[None]:
    """The API on 127.0.0.1:`port`, in a thread of this process."""
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            assert thread.is_alive(), "l'API non è partita"
            threading.Event().wait(0.05)
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    if not MODEL.exists():
        pytest.skip("Modello assente (models/sportello.tar.gz): esegui `make train` per questo test")
    var_dir: Path = tmp_path_factory.mktemp("var")
    api_port, telegram_port = free_port(), free_port()
    overrides = {
        "SPORTELLO_VAR_DIR": str(var_dir),
        "SPORTELLO_ACTIONS_PORT": free_port(),
        "SPORTELLO_RASA_PORT": free_port(),
        "SPORTELLO_API_PORT": api_port,
        "SPORTELLO_TELEGRAM_PORT": telegram_port,  # Rasa delivers operators' replies to the bridge here
        "SPORTELLO_SERVICE_TOKEN": TOKEN,
        "SPORTELLO_BUTTON_SECRET": BUTTON_SECRET,
        "SPORTELLO_OFFICE_HOURS": "",
    }
    with assistant_running(overrides, only=("azioni", "rasa"), timeout_s=240) as (_, by_name):
        rasa_url = by_name["rasa"].public_url
        settings = Settings(
            var_dir=var_dir,
            database_url=f"sqlite:///{var_dir / 'sportello.db'}",
            service_token=SecretStr(TOKEN),
            rasa_url=rasa_url,
        )
        with api_serving(settings, int(api_port)):
            yield Assistant(rasa_url, settings, int(telegram_port))


@pytest.fixture
async def bridge(
    assistant: Assistant, telegram: FakeTelegram, start_bridge: Callable[..., Any], tmp_path: Path
) -> None:
    settings = TelegramSettings(
        telegram_token=SecretStr(telegram.token),
        telegram_api_base_url=telegram.base_url,
        telegram_port=assistant.telegram_port,
        rasa_url=assistant.rasa_url,
        rasa_timeout_s=60,
        var_dir=tmp_path / "bridge-var",
        service_token=SecretStr(TOKEN),
        button_secret=SecretStr(BUTTON_SECRET),
    )
    await start_bridge(settings)


@pytest.fixture
async def feed() -> AsyncIterator[list[live.LiveEvent]]:
    """Every live event the console would get from now on (the API runs in this process)."""
    received: list[live.LiveEvent] = []

    async def follow() -> None:
        async for event in live.subscribe():
            received.append(event)

    task = asyncio.create_task(follow())
    await asyncio.sleep(0)  # subscribed
    yield received
    task.cancel()


class Chat:
    """One Telegram user: what they send, and the bot's messages since the last turn."""

    def __init__(self, telegram: FakeTelegram, chat_id: int) -> None:
        self.telegram = telegram
        self.chat_id = chat_id
        self.seen = 0

    async def replies(self, count: int) -> list[dict[str, Any]]:
        sent = await self.telegram.wait_sent(self.seen + count, chat_id=self.chat_id, timeout=WAIT_S)
        new, self.seen = sent[self.seen :], len(sent)
        return new

    async def say(self, text: str, replies: int = 1) -> list[dict[str, Any]]:
        await self.telegram.push(self.telegram.message_update(self.chat_id, text))
        return await self.replies(replies)

    async def press(self, message: dict[str, Any], title: str, replies: int = 1) -> list[dict[str, Any]]:
        buttons = [b for row in message["reply_markup"]["inline_keyboard"] for b in row]
        (button,) = [b for b in buttons if b["text"] == title]
        await self.telegram.push(
            self.telegram.callback_update(self.chat_id, button["callback_data"], message["message_id"])
        )
        return await self.replies(replies)


async def _escalate(chat: Chat) -> str:
    await chat.say("voglio parlare con un operatore", replies=2)
    (contact_question,) = await chat.say("Giulia Neri")
    (role_question,) = await chat.press(contact_question, "Sì, qui su Telegram")
    (company_question,) = await chat.press(role_question, "Datore di lavoro")
    await chat.press(company_question, "Salta")  # then the description
    (consent_question,) = await chat.say("Vorrei attivare un piano welfare per i miei dipendenti")
    (done,) = await chat.press(consent_question, "Sì, acconsento e invio")
    text: str = done["shown_text"]
    assert "SW-" in text
    return text.split("il numero è ")[1].split(".")[0].strip()


async def _wait_for(events: list[live.LiveEvent], kind: str, ticket: str) -> live.LiveEvent:
    async def arrived() -> live.LiveEvent:
        while True:
            for event in events:
                if event.kind == kind and event.ticket == ticket:
                    return event
            await asyncio.sleep(0.05)

    return await asyncio.wait_for(arrived(), WAIT_S)


def _shown(markdown: str) -> str:
    return visible_text(render_html(markdown), "HTML")


async def test_an_operator_takes_over_a_telegram_chat_and_hands_back(
    assistant: Assistant, bridge: None, telegram: FakeTelegram, feed: list[live.LiveEvent]
) -> None:
    chat = Chat(telegram, CHAT + 7)
    number = await _escalate(chat)
    await _wait_for(feed, "ticket_created", number)  # the console's queue shows it at once

    engine = create_db_engine(assistant.api.database_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            anna = Operator(username="anna.telegram", display_name="Anna", password_hash="-")
            session.add(anna)
            session.commit()

            await service.take(session, number, anna)
            (joined,) = await chat.replies(1)
            assert joined["shown_text"] == (
                "Ti risponde Anna dello Sportello Welfare: da adesso scrivi pure qui, ti legge una persona."
            )

            await service.send(session, number, anna, "Ciao Giulia, sono Anna: ti spiego come partire.")
            (reply,) = await chat.replies(1)
            assert reply["shown_text"] == "Anna (Sportello Welfare): Ciao Giulia, sono Anna: ti spiego come partire."

            # The user's answer reaches the console live, and the assistant stays silent.
            assert await chat.say("grazie, aspetto", replies=0) == []
            message = await _wait_for(feed, "user_message", number)
            assert message.data["text"] == "grazie, aspetto" and message.data["intent"]
            assert [(m.who, m.text) for m in service.messages(session, number)][-1] == ("user", "grazie, aspetto")

            await service.release(session, number, anna)
            # The next message in the chat is the hand-back notice: nothing was answered meanwhile.
            (notice,) = await chat.replies(1)
            assert notice["shown_text"].startswith("Ora ti risponde di nuovo l'assistente virtuale")
    finally:
        engine.dispose()

    (answer,) = await chat.say("fino a quanto sono esenti i buoni pasto elettronici nel 2026?")
    topic = load_knowledge_base().get("buoni_pasto")
    assert topic is not None
    assert answer["shown_text"] == _shown(render_answer(topic))
    assert telegram.sent(failed=True) == []
