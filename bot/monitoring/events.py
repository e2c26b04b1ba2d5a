"""What of a Rasa event leaves the Rasa server for monitoring.

Only the events the turn builder reads (api/monitoring/ingest.py) and only their
fields that it reads: the user's message with its intent and the first FAQ topics, the
actions that ran, the few slots that tell what the assistant did, when the bot spoke.
Form slots (name, email, phone...) never leave: they are not monitoring's business.
"""

from __future__ import annotations

from typing import Any

KEPT_SLOTS = frozenset({"last_answered_topic", "last_suggestions", "open_ticket", "last_faq_topic"})
KEPT_ACTIONS = frozenset(
    {"action_answer_faq", "action_suggest_topics", "action_answer_selected_faq", "action_start_escalation"}
)
KEPT_METADATA = ("owned_by",)
TOP_RANKING = 3


def _selector(parse_data: dict[str, Any]) -> dict[str, Any]:
    selectors = parse_data.get("response_selector")
    if not isinstance(selectors, dict):
        return {}
    reduced: dict[str, Any] = {}
    for key, selector in selectors.items():
        if key == "all_retrieval_intents" or not isinstance(selector, dict):
            continue
        ranking = selector.get("ranking")
        if isinstance(ranking, list):
            reduced[key] = {
                "ranking": [
                    {"intent_response_key": entry.get("intent_response_key"), "confidence": entry.get("confidence")}
                    for entry in ranking[:TOP_RANKING]
                    if isinstance(entry, dict)
                ]
            }
    return reduced


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _metadata(value: Any) -> dict[str, Any]:
    # Whether an operator owned the conversation, not who or which ticket (bot/channels/ownership.py).
    if not isinstance(value, dict):
        return {}
    return {key: True for key in KEPT_METADATA if value.get(key)}


def reduce_event(event: dict[str, Any]) -> dict[str, Any] | None:
    """The part of `event` (as the tracker store publishes it) monitoring needs; None to drop it."""
    kind = event.get("event")
    base = {"sender_id": event.get("sender_id"), "event": kind, "timestamp": event.get("timestamp")}
    if kind == "user":
        parse_data = _dict(event.get("parse_data"))
        intent = _dict(parse_data.get("intent"))
        return {
            **base,
            "text": event.get("text"),
            "message_id": event.get("message_id"),
            "input_channel": event.get("input_channel"),
            "metadata": _metadata(event.get("metadata")),
            "parse_data": {
                "intent": {"name": intent.get("name"), "confidence": intent.get("confidence")},
                "response_selector": _selector(parse_data),
            },
        }
    if kind == "session_started":
        return base
    if kind == "action" and event.get("name") in KEPT_ACTIONS:
        return {**base, "name": event.get("name")}
    if kind == "slot" and event.get("name") in KEPT_SLOTS:
        return {**base, "name": event.get("name"), "value": event.get("value")}
    if kind == "bot":
        metadata = _dict(event.get("metadata"))
        return {**base, "metadata": {"operator": True} if metadata.get("operator") else {}}
    return None
