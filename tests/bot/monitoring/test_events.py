"""What of each Rasa event leaves the server for monitoring."""

from __future__ import annotations

from typing import Any

from bot.monitoring.events import reduce_event

USER: dict[str, Any] = {
    "sender_id": "web:abc",
    "event": "user",
    "timestamp": 1_772_442_000.5,
    "text": "quanto valgono i buoni pasto?",
    "input_channel": "webchat",
    "message_id": "m1",
    "metadata": {"owned_by": {"ticket": "SW-2026-000004", "operator_name": "Anna"}, "user_agent": "Mozilla"},
    "parse_data": {
        "intent": {"name": "faq", "confidence": 0.97, "id": 123},
        "entities": [{"entity": "faq_topic", "value": "x"}],
        "intent_ranking": [{"name": "faq", "confidence": 0.97}] * 10,
        "response_selector": {
            "all_retrieval_intents": ["faq"],
            "faq": {
                "response": {"responses": [{"text": "una risposta lunga"}]},
                "ranking": [{"id": n, "confidence": 0.1, "intent_response_key": f"faq/t{n}"} for n in range(10)],
            },
        },
    },
}


def test_a_user_message_keeps_text_intent_top_topics_and_ownership_only() -> None:
    reduced = reduce_event(USER)
    assert reduced == {
        "sender_id": "web:abc",
        "event": "user",
        "timestamp": 1_772_442_000.5,
        "text": "quanto valgono i buoni pasto?",
        "message_id": "m1",
        "input_channel": "webchat",
        "metadata": {"owned_by": True},
        "parse_data": {
            "intent": {"name": "faq", "confidence": 0.97},
            "response_selector": {
                "faq": {"ranking": [{"intent_response_key": f"faq/t{n}", "confidence": 0.1} for n in range(3)]}
            },
        },
    }


def test_reducing_twice_changes_nothing() -> None:
    once = reduce_event(USER)
    assert once is not None and reduce_event(once) == once


def test_form_slots_never_leave_the_server() -> None:
    for name in ("contact_name", "contact", "company", "description", "consent"):
        assert (
            reduce_event({"event": "slot", "name": name, "value": "Maria Rossi", "sender_id": "s", "timestamp": 1})
            is None
        )
    kept = reduce_event(
        {"event": "slot", "name": "last_suggestions", "value": ["a", "b"], "sender_id": "s", "timestamp": 1}
    )
    assert kept == {"event": "slot", "name": "last_suggestions", "value": ["a", "b"], "sender_id": "s", "timestamp": 1}


def test_only_the_actions_monitoring_reads_and_no_bot_text() -> None:
    base = {"sender_id": "s", "timestamp": 2.0}
    assert reduce_event({**base, "event": "action", "name": "action_listen"}) is None
    assert reduce_event({**base, "event": "action", "name": "action_start_escalation"}) == {
        **base,
        "event": "action",
        "name": "action_start_escalation",
    }
    bot = reduce_event(
        {**base, "event": "bot", "text": "Ciao Maria", "metadata": {"operator": True, "operator_name": "Anna"}}
    )
    assert bot == {**base, "event": "bot", "metadata": {"operator": True}}
    assert reduce_event({**base, "event": "user_featurization"}) is None
    assert reduce_event({**base, "event": "session_started"}) == {**base, "event": "session_started"}
