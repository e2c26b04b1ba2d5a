from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import web
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.feedback import ActionRecordFeedback
from bot.actions.handoff import ActionHumanHandoff

TOKEN = "token-di-prova"


class FakeApi:
    """A real HTTP server standing in for the Sportello API."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.headers: list[str | None] = []
        self.status = 201
        self.delay_s = 0.0

    async def feedback(self, request: web.Request) -> web.Response:
        await asyncio.sleep(self.delay_s)
        self.headers.append(request.headers.get("Authorization"))
        self.received.append(await request.json())
        return web.json_response({"id": len(self.received)}, status=self.status)


@pytest.fixture
async def api(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeApi]:
    fake = FakeApi()
    app = web.Application()
    app.router.add_post("/api/v1/feedback", fake.feedback)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    monkeypatch.setenv("SPORTELLO_API_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("SPORTELLO_SERVICE_TOKEN", TOKEN)
    monkeypatch.setenv("SPORTELLO_API_TIMEOUT_S", "0.5")
    yield fake
    await runner.cleanup()


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
    assert api.received == [
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


async def test_negative_vote_offers_an_operator(
    api: FakeApi, make_tracker: Callable[..., Tracker], dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    await ActionRecordFeedback().run(dispatcher, _answered(make_tracker, "feedback_negative"), domain)
    assert api.received[0]["vote"] == "down"
    assert dispatcher.messages[0]["response"] == "utter_feedback_thanks_negative"
    assert "/human_handoff" in json.dumps(domain["responses"]["utter_feedback_thanks_negative"])


async def test_vote_without_a_previous_answer_is_not_sent(
    api: FakeApi, make_tracker: Callable[..., Tracker], dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    events = await ActionRecordFeedback().run(dispatcher, make_tracker(intent="feedback_positive"), domain)
    assert api.received == []
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
        api.status = 500
    else:
        api.delay_s = 2.0
    await ActionRecordFeedback().run(dispatcher, _answered(make_tracker, "feedback_positive"), domain)
    assert dispatcher.messages[0]["response"] == "utter_feedback_thanks_positive"


async def test_handoff_tells_the_configured_contact(
    make_tracker: Callable[..., Tracker],
    dispatcher: CollectingDispatcher,
    domain: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SPORTELLO_CONTACT_INFO", "scrivi a sportello@example.org")
    await ActionHumanHandoff().run(dispatcher, make_tracker(intent="human_handoff"), domain)
    assert dispatcher.messages[0]["response"] == "utter_human_handoff"
    assert dispatcher.messages[0]["contact"] == "scrivi a sportello@example.org"
    assert "{contact}" in domain["responses"]["utter_human_handoff"][0]["text"]
