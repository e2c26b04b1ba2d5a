from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.feedback import ActionRecordFeedback
from tests.bot.actions.fake_api import FakeApi, serving

TOKEN = "token-di-prova"


@pytest.fixture
async def api(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeApi]:
    fake = FakeApi()
    async with serving(fake) as url:
        monkeypatch.setenv("SPORTELLO_API_URL", url)
        monkeypatch.setenv("SPORTELLO_SERVICE_TOKEN", TOKEN)
        monkeypatch.setenv("SPORTELLO_API_TIMEOUT_S", "0.5")
        yield fake


def _answered(make_tracker: Callable[..., Tracker], intent: str) -> Tracker:
    return make_tracker(
        text="👍",
        intent=intent,
        slots={"last_faq_topic": "buoni_pasto", "last_faq_confidence": 0.8, "last_faq_question": "buoni pasto 2026"},
    )


async def test_vote_is_sent_with_topic_confidence_question_and_token(
    api: FakeApi, make_tracker: Callable[..., Tracker], dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    events = await ActionRecordFeedback().run(dispatcher, _answered(make_tracker, "feedback_positive"), domain)
    assert api.votes == [
        {
            "conversation_id": "conversazione-1",
            "channel": "rest",
            "topic_id": "buoni_pasto",
            "vote": "up",
            "confidence": 0.8,
            "question": "buoni pasto 2026",
        }
    ]
    assert api.headers == [f"Bearer {TOKEN}"]
    assert dispatcher.messages[0]["response"] == "utter_feedback_thanks_positive"
    assert events == [{"event": "slot", "timestamp": None, "name": "last_faq_topic", "value": None}]


async def test_negative_vote_offers_an_operator_as_one_question(
    api: FakeApi, make_tracker: Callable[..., Tracker], dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    events = await ActionRecordFeedback().run(dispatcher, _answered(make_tracker, "feedback_negative"), domain)
    assert api.votes[0]["vote"] == "down"
    (message,) = dispatcher.messages
    assert "Vuoi che giri la tua domanda a una persona" in message["text"]
    assert [b["payload"] for b in message["buttons"]] == ["/affirm", "/deny"]
    assert {"event": "slot", "timestamp": None, "name": "pending_offer", "value": "handoff"} in events


async def test_vote_without_a_previous_answer_is_not_sent(
    api: FakeApi, make_tracker: Callable[..., Tracker], dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    events = await ActionRecordFeedback().run(dispatcher, make_tracker(intent="feedback_positive"), domain)
    assert api.votes == []
    assert dispatcher.messages[0]["response"] == "utter_feedback_no_answer"
    assert events == []


@pytest.mark.parametrize("failure", ["status", "timeout"])
async def test_api_failure_never_breaks_the_conversation(
    api: FakeApi,
    make_tracker: Callable[..., Tracker],
    dispatcher: CollectingDispatcher,
    domain: dict[str, Any],
    failure: str,
) -> None:
    if failure == "status":
        api.vote_status = 500
    else:
        api.delay_s = 2.0
    await ActionRecordFeedback().run(dispatcher, _answered(make_tracker, "feedback_positive"), domain)
    assert dispatcher.messages[0]["response"] == "utter_feedback_thanks_positive"
