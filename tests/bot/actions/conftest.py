"""Tracker, dispatcher and domain fixtures for the custom actions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import catalog
from bot.actions import settings as action_settings
from bot.kb.model import KnowledgeBase

DOMAIN_FILE = Path(__file__).resolve().parents[3] / "domain.yml"


@pytest.fixture
def domain() -> dict[str, Any]:
    return yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8"))


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture(autouse=True)
def use_small_kb(small_kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Actions read the small test knowledge base, and settings are re-read per test."""
    monkeypatch.setattr(catalog, "get_catalog", lambda: small_kb)
    for module in ("bot.actions.faq",):
        monkeypatch.setattr(f"{module}.get_catalog", lambda: small_kb)
    action_settings.get_settings.cache_clear()
    yield
    action_settings.get_settings.cache_clear()


def ranking(*pairs: tuple[str, float]) -> dict[str, Any]:
    """A ResponseSelector output as Rasa 3.6 puts it in `latest_message`."""
    entries = [{"intent_response_key": f"faq/{t}", "confidence": c} for t, c in pairs]
    best = entries[0] if entries else {}
    return {
        "all_retrieval_intents": ["faq"],
        "faq": {
            "response": {**best, "utter_action": f"utter_{best.get('intent_response_key', '')}", "responses": []},
            "ranking": entries,
        },
    }


@pytest.fixture
def make_tracker() -> Callable[..., Tracker]:
    def make(
        text: str = "una domanda",
        intent: str = "faq",
        confidence: float = 0.9,
        selector: dict[str, Any] | None = None,
        entities: list[dict[str, Any]] | None = None,
        slots: dict[str, Any] | None = None,
        channel: str = "rest",
    ) -> Tracker:
        latest = {
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": [{"name": intent, "confidence": confidence}],
            "entities": entities or [],
            "response_selector": selector or {},
        }
        events = [{"event": "user", "text": text, "parse_data": latest, "input_channel": channel}]
        return Tracker(
            sender_id="conversazione-1",
            slots=slots or {},
            latest_message=latest,
            events=events,
            paused=False,
            followup_action=None,
            active_loop={},
            latest_action_name="action_listen",
        )

    return make
