"""The whole assistant through its REST webhook, as `curl` would use it (slow).

Starts the action server, the Rasa server with the trained model and the API on
free local ports, then talks to the webhook like a user.
"""

from __future__ import annotations

import json
import sqlite3
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from bot.kb.loader import load_knowledge_base
from bot.kb.render import render_answer
from scripts.run_all import ROOT, assistant_running, service_ports

pytestmark = pytest.mark.slow
MODEL = ROOT / "models" / "sportello.tar.gz"


def _post(url: str, body: bytes, content_type: str = "application/json") -> tuple[int, Any]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


class Assistant:
    def __init__(self, rasa_url: str, api_url: str, actions_url: str, token: str, tracker_db: Path) -> None:
        self.webhook = f"{rasa_url}/webhooks/rest/webhook"
        self.actions_url = actions_url
        self.api_url = api_url
        self.token = token
        self.tracker_db = tracker_db

    def user_intents(self, sender: str) -> list[str]:
        """The intents Rasa recorded for the user's messages, read from the tracker store."""
        with closing(sqlite3.connect(self.tracker_db)) as db:
            rows = db.execute(
                "SELECT intent_name FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id", (sender,)
            ).fetchall()
        return [row[0] for row in rows]

    def say(self, sender: str, message: object) -> list[dict[str, Any]]:
        status, body = _post(self.webhook, json.dumps({"sender": sender, "message": message}).encode())
        assert status == 200, body
        assert isinstance(body, list)
        return body

    def feedback(self) -> list[dict[str, Any]]:
        request = urllib.request.Request(
            f"{self.api_url}/api/v1/feedback", headers={"Authorization": f"Bearer {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as resp:
            data = json.loads(resp.read())
        return data["items"] if isinstance(data, dict) else data


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    assert MODEL.exists(), "Modello assente: esegui `make train`"
    var_dir: Path = tmp_path_factory.mktemp("var")
    overrides = {
        "SPORTELLO_VAR_DIR": str(var_dir),
        **service_ports(),
        "SPORTELLO_DATABASE_URL": f"sqlite:///{var_dir / 'sportello.db'}",
        "SPORTELLO_SERVICE_TOKEN": "token-e2e",
        "SPORTELLO_BUTTON_SECRET": "segreto-e2e-abbastanza-lungo",
    }
    with assistant_running(overrides, timeout_s=240) as (_, by_name):
        yield Assistant(
            by_name["rasa"].public_url,
            by_name["api"].public_url,
            by_name["azioni"].public_url,
            "token-e2e",
            var_dir / "tracker.db",
        )


def test_greeting_introduces_the_assistant_and_the_privacy_notice(assistant: Assistant) -> None:
    (reply,) = assistant.say("e2e-saluto", "ciao")
    assert "Sportello Welfare" in reply["text"] and "Privacy" in reply["text"]


def test_faq_question_gets_the_knowledge_base_answer_and_a_vote_is_stored(assistant: Assistant) -> None:
    kb = load_knowledge_base()
    replies = assistant.say("e2e-faq", "fino a quanto sono esenti i buoni pasto elettronici nel 2026?")
    topic = kb.get("buoni_pasto")
    assert topic is not None
    assert replies[0]["text"] == render_answer(topic)
    thumbs_up = replies[0]["buttons"][0]
    assert thumbs_up["title"].startswith("👍") and thumbs_up["payload"].startswith("~")

    (thanks,) = assistant.say("e2e-faq", thumbs_up["payload"])
    assert thanks["text"].startswith("Grazie del riscontro")
    votes = [v for v in assistant.feedback() if v["conversation_id"] == "e2e-faq"]
    assert [(v["topic_id"], v["vote"]) for v in votes] == [("buoni_pasto", "up")]
    assert votes[0]["confidence"] > 0.5

    # A button from another conversation is not a vote here.
    (other,) = assistant.say("e2e-altro", thumbs_up["payload"])
    assert not other["text"].startswith("Grazie del riscontro")


def test_typed_slash_commands_do_not_select_intents(assistant: Assistant) -> None:
    greeting = assistant.say("e2e-slash-ref", "ciao")[0]["text"]
    assert assistant.say("e2e-slash", "/greet")[0]["text"] != greeting
    assistant.say("e2e-slash", '/faq_select{"faq_topic":"babysitting"}')
    assistant.say("e2e-slash", "/feedback_positive")
    # What the NLU made of the text may vary; what matters is that no typed message
    # was taken as the intent it names, as Rasa's RegexMessageHandler would do.
    intents = assistant.user_intents("e2e-slash")
    assert len(intents) == 3
    assert not {"greet", "faq_select", "feedback_positive"} & set(intents), intents


def test_out_of_scope_question_is_not_answered_with_a_faq(assistant: Assistant) -> None:
    kb = load_knowledge_base()
    answers = {render_answer(t) for t in kb.topics}
    for reply in assistant.say("e2e-oos", "mi dai la ricetta della carbonara?"):
        assert reply.get("text") not in answers


@pytest.mark.parametrize(
    ("message", "expected"),
    [("", "vuoto"), ("a" * 5000, "troppo lungo"), ("🙂🙂🙂", "Non riesco a leggere"), (None, "solo messaggi di testo")],
)
def test_bad_input_gets_a_clear_italian_reply(assistant: Assistant, message: object, expected: str) -> None:
    (reply,) = assistant.say("e2e-bad", message)
    assert expected in reply["text"]


def test_malformed_requests_are_refused_with_400(assistant: Assistant) -> None:
    status, body = _post(assistant.webhook, b"{not json")
    assert status == 400 and "JSON" in body["detail"]
    status, body = _post(assistant.webhook, json.dumps({"message": "ciao"}).encode())
    assert status == 400 and "sender" in body["detail"]


@pytest.mark.parametrize("sender", ["telegram:424242", "web:AAAAAAAAAAAAAAAAAAAAAAAA"])
def test_nobody_speaks_for_another_channels_conversation(assistant: Assistant, sender: str) -> None:
    status, body = _post(
        assistant.webhook, json.dumps({"sender": sender, "message": "ciao", "input_channel": "telegram"}).encode()
    )
    assert status == 403 and body["status"] == 403
    assert assistant.user_intents(sender) == []


def test_the_action_server_refuses_anyone_but_rasa(assistant: Assistant) -> None:
    call = {"next_action": "action_record_feedback", "sender_id": "telegram:424242", "tracker": {}, "domain": {}}
    status, _ = _post(f"{assistant.actions_url}/webhook", json.dumps(call).encode())
    assert status == 401
