"""Trackers for the escalation actions, and the fake API (with delivery routes) they call."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from rasa_sdk import Tracker

from bot.actions.escalation import submit
from tests.bot.actions.fake_api import FakeApi, serving

TOKEN = "token-di-prova-delle-azioni"


@pytest.fixture
async def api(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeApi]:
    fake = FakeApi()
    async with serving(fake) as url:
        for name in ("API", "RASA", "TELEGRAM"):
            monkeypatch.setenv(f"SPORTELLO_{name}_URL", url)
        monkeypatch.setenv("SPORTELLO_SERVICE_TOKEN", TOKEN)
        monkeypatch.setenv("SPORTELLO_API_TIMEOUT_S", "0.5")
        submit.get_outbox.cache_clear()
        yield fake
        submit.get_outbox.cache_clear()


@pytest.fixture
def tracker() -> Callable[..., Tracker]:
    def make(
        text: str = "",
        intent: str | None = None,
        sender: str = "web:AAAAAAAAAAAAAAAAAAAAAAAA",
        slots: dict[str, Any] | None = None,
        requested: str | None = None,
        events: list[dict[str, Any]] | None = None,
    ) -> Tracker:
        latest = {"text": text, "intent": {"name": intent, "confidence": 1.0} if intent else {}, "entities": []}
        all_slots = {**(slots or {}), "requested_slot": requested}
        user = {"event": "user", "text": text, "parse_data": latest, "timestamp": 1_790_000_000.0}
        return Tracker(
            sender_id=sender,
            slots=all_slots,
            latest_message=latest,
            events=[*(events or []), user],
            paused=False,
            followup_action=None,
            active_loop={"name": "escalation_form"} if requested else {},
            latest_action_name="action_listen",
        )

    return make
