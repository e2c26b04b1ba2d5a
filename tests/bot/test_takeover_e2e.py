"""A person takes over a web chat conversation with the real assistant, then hands it back (slow).

The whole assistant runs (action server, Rasa with the trained model, API); the user is a
socket.io client like the widget; the operator is the console's service, run in the app
environment (tests/api/takeover/operator_cli.py). Checked: the user is told who joined,
gets the operator's replies live and after a reload, their own messages reach the API
while the assistant stays silent, and after the hand-back the assistant answers again.
Then the same takeover survives an expired Rasa session, a restart of the conversation
and a typed "/restart".
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.kb.loader import load_knowledge_base
from scripts.run_all import ROOT, assistant_running, service_ports
from tests.bot.channels.conftest import ChatClient

TURN_TIMEOUT_S = 60  # a turn of the real assistant on a loaded machine
pytestmark = pytest.mark.slow
MODEL = ROOT / "models" / "sportello.tar.gz"
TOKEN = "token-e2e-presa-in-carico"
JOINED = "Ti risponde Anna dello Sportello Welfare: da adesso scrivi pure qui, ti legge una persona."
HANDED_BACK = "Ora ti risponde di nuovo l'assistente virtuale: Anna ha lasciato la conversazione."
FAQ_QUESTION = "fino a quanto sono esenti i buoni pasto elettronici nel 2026?"


class Running:
    def __init__(self, env: dict[str, str], rasa_url: str) -> None:
        self.env = env
        self.rasa_url = rasa_url

    def operator(self, command: str, conversation_id: str, *args: str) -> dict[str, Any]:
        """What the console's buttons do, through api/takeover/service.py."""
        python = str(ROOT / ".venv-app" / "bin" / "python")
        done = subprocess.run(
            [python, "-m", "tests.api.takeover.operator_cli", command, conversation_id, *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        result: dict[str, Any] = json.loads(done.stdout)
        return result

    @property
    def tracker_db(self) -> Path:
        return Path(self.env["SPORTELLO_TRACKER_URL"].removeprefix("sqlite:///"))


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    assert MODEL.exists(), "Modello assente: esegui `make train`"
    var_dir: Path = tmp_path_factory.mktemp("var")
    overrides = {
        "SPORTELLO_VAR_DIR": str(var_dir),
        **service_ports(),
        "SPORTELLO_SERVICE_TOKEN": TOKEN,
        "SPORTELLO_OFFICE_HOURS": "",
    }
    with assistant_running(overrides, only=("azioni", "rasa", "api"), timeout_s=240) as (env, by_name):
        yield Running(env, by_name["rasa"].public_url)


@pytest.fixture
async def user(assistant: Running) -> AsyncIterator[ChatClient]:
    client = ChatClient()
    await client.connect(assistant.rasa_url)
    await client.session()
    yield client
    await client.close()


async def _next_bot_text(client: ChatClient) -> str:
    _, data = await client.next_any(("bot_uttered",), timeout_s=TURN_TIMEOUT_S)
    text: str = data["text"]
    return text


async def _escalate(client: ChatClient) -> str:
    """Ask for a person and send the request; the ticket's number."""
    assert "Come ti chiami" in await client.reply("voglio parlare con un operatore", timeout_s=TURN_TIMEOUT_S)
    assert "email o un numero di telefono" in await client.reply("Maria Rossi", timeout_s=TURN_TIMEOUT_S)
    assert "Tu sei" in await client.reply("maria.rossi@esempio.it", timeout_s=TURN_TIMEOUT_S)
    assert "azienda o cooperativa" in await client.reply("Socio o socia di cooperativa", timeout_s=TURN_TIMEOUT_S)
    assert "Descrivi" in await client.reply("salta", timeout_s=TURN_TIMEOUT_S)
    summary = await client.reply("Vorrei capire i buoni pasto del mio contratto", timeout_s=TURN_TIMEOUT_S)
    assert "informativa privacy" in summary
    done = await client.reply("sì", timeout_s=TURN_TIMEOUT_S)
    assert "SW-" in done
    return done.split("**")[1]


def _faq_lead() -> str:
    topic = load_knowledge_base().get("buoni_pasto")
    assert topic is not None
    return topic.lead[:60]


async def test_an_operator_takes_over_the_web_chat_and_hands_back(assistant: Running, user: ChatClient) -> None:
    number = await _escalate(user)
    # Asking again links to the open ticket instead of opening a second one.
    again = await user.reply("voglio parlare con un operatore", timeout_s=TURN_TIMEOUT_S)
    assert "Hai già una richiesta aperta" in again and number in again

    taken = assistant.operator("take", user.sender_id)
    assert taken["number"] == number and taken["owner"] == "Anna"
    assert await _next_bot_text(user) == JOINED

    greeting = "Ciao Maria, sono Anna: guardo subito il tuo contratto."
    assistant.operator("send", user.sender_id, greeting)
    assert await _next_bot_text(user) == f"**Anna** (Sportello Welfare): {greeting}"

    assert await user.say("grazie! intanto, quanto valgono i buoni pasto?") == {"status": "owned"}
    said = assistant.operator("messages", user.sender_id)["messages"]
    assert said[-1]["who"] == "user" and said[-1]["text"] == "grazie! intanto, quanto valgono i buoni pasto?"
    assert said[-1]["intent"]  # the NLU's reading, kept for the log

    # Offline: the reply waits in the conversation and comes back with the history.
    token = user.token
    await user.close()
    assistant.operator("send", user.sender_id, "Nel tuo contratto il buono vale 8 euro.")
    back = ChatClient()
    await back.connect(assistant.rasa_url)
    try:
        confirm = await back.session(token)
        texts = [m["text"] for m in confirm["history"]]
        assert texts[-3:] == [
            "**Anna** (Sportello Welfare): Ciao Maria, sono Anna: guardo subito il tuo contratto.",
            "grazie! intanto, quanto valgono i buoni pasto?",
            "**Anna** (Sportello Welfare): Nel tuo contratto il buono vale 8 euro.",
        ]

        assistant.operator("release", back.sender_id)
        # The next bot message is the hand-back notice: the assistant never answered meanwhile.
        assert (await _next_bot_text(back)).startswith(HANDED_BACK)
        answer = await back.reply(FAQ_QUESTION, timeout_s=TURN_TIMEOUT_S)
        assert _faq_lead() in answer
    finally:
        await back.close()


def _expire_session(db: Path, sender: str, by_s: float = 2 * 3600) -> None:
    """Move the conversation two hours into the past: Rasa's 60-minute session has expired."""
    with sqlite3.connect(db) as connection:
        connection.execute(
            "UPDATE events SET timestamp = timestamp - ?, "
            "data = json_set(data, '$.timestamp', json_extract(data, '$.timestamp') - ?) WHERE sender_id = ?",
            (by_s, by_s, sender),
        )


def _restart_conversation(db: Path, sender: str) -> None:
    """A Restarted event, as Rasa's own restart (or its HTTP API) would append."""
    now = time.time()
    with sqlite3.connect(db) as connection:
        connection.execute(
            "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, 'restart', ?, ?)",
            (sender, now, json.dumps({"event": "restart", "timestamp": now})),
        )


def _count(db: Path, sender: str, type_name: str) -> int:
    with sqlite3.connect(db) as connection:
        (count,) = connection.execute(
            "SELECT COUNT(*) FROM events WHERE sender_id = ? AND type_name = ?", (sender, type_name)
        ).fetchone()
    return int(count)


async def test_the_takeover_survives_a_new_session_and_a_restart(assistant: Running, user: ChatClient) -> None:
    await _escalate(user)
    assistant.operator("take", user.sender_id)
    assert await _next_bot_text(user) == JOINED
    sessions_before = _count(assistant.tracker_db, user.sender_id, "session_started")

    _expire_session(assistant.tracker_db, user.sender_id)
    assert await user.say("scusa, sono tornato dopo pranzo") == {"status": "owned"}
    assert _count(assistant.tracker_db, user.sender_id, "session_started") == sessions_before + 1  # a new session

    _restart_conversation(assistant.tracker_db, user.sender_id)
    assert await user.say("ci sei ancora?") == {"status": "owned"}
    assert await user.say("/restart") == {"status": "owned"}

    said = [m["text"] for m in assistant.operator("messages", user.sender_id)["messages"] if m["who"] == "user"]
    assert said == ["scusa, sono tornato dopo pranzo", "ci sei ancora?", "restart"]

    assistant.operator("send", user.sender_id, "Sì, ci sono: dimmi pure.")
    assert await _next_bot_text(user) == "**Anna** (Sportello Welfare): Sì, ci sono: dimmi pure."
    assistant.operator("release", user.sender_id)
    assert (await _next_bot_text(user)).startswith(HANDED_BACK)
    assert _faq_lead() in await user.reply(FAQ_QUESTION, timeout_s=TURN_TIMEOUT_S)
