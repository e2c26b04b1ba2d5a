"""Rasa events, as the event broker publishes them, read into what monitoring needs.

The input is whatever a broker delivered (JSON from the Rasa server, or from RabbitMQ):
each event is checked field by field, and one that does not make sense is refused
alone (`MalformedEvent`) without stopping the batch. Events monitoring does not use
(`action_listen`, featurisation, form activity...) are read as None.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from api.monitoring import outcomes

MAX_SENDER_LENGTH = 255
# A message longer than the channels allow (1,000 characters by default) is cut before
# redaction, which then cannot be made slow by a huge text.
MAX_TEXT_SCAN = 4000
# Before this moment no event of the project can exist; beyond `MAX_EPOCH` the
# timestamp is nonsense (datetime would overflow near year 10000 anyway).
MIN_EPOCH = 946_684_800.0  # 2000-01-01
MAX_EPOCH = 32_503_680_000.0  # 3000-01-01
RANKING_KEYS = ("all_retrieval_intents",)
USED_ACTIONS = frozenset({outcomes.ESCALATION_ACTION})
USED_SLOTS = frozenset({outcomes.ANSWERED_SLOT, outcomes.SUGGESTIONS_SLOT, outcomes.TICKET_SLOT, outcomes.VOTED_SLOT})
TOP_TOPICS = 3


class MalformedEvent(ValueError):
    pass


@dataclass(frozen=True)
class Candidate:
    topic_id: str
    confidence: float


@dataclass(frozen=True)
class UserTurn:
    sender_id: str
    at: datetime
    text: str | None
    message_id: str | None
    intent: str | None
    intent_confidence: float | None
    ranking: tuple[Candidate, ...]
    owned_by_operator: bool


@dataclass(frozen=True)
class SessionStart:
    sender_id: str
    at: datetime


@dataclass(frozen=True)
class ActionRun:
    sender_id: str
    at: datetime
    name: str


@dataclass(frozen=True)
class SlotChange:
    sender_id: str
    at: datetime
    name: str
    value: Any


@dataclass(frozen=True)
class BotMessage:
    sender_id: str
    at: datetime
    by_operator: bool


Event = UserTurn | SessionStart | ActionRun | SlotChange | BotMessage


def _sender(raw: Mapping[str, Any]) -> str:
    sender = raw.get("sender_id")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_LENGTH:
        raise MalformedEvent("sender_id")
    return sender


def _moment(raw: Mapping[str, Any]) -> datetime:
    stamp = raw.get("timestamp")
    if isinstance(stamp, bool) or not isinstance(stamp, (int, float)) or not math.isfinite(stamp):
        raise MalformedEvent("timestamp")
    if not MIN_EPOCH <= stamp <= MAX_EPOCH:
        raise MalformedEvent("timestamp")
    return datetime.fromtimestamp(float(stamp), tz=timezone.utc)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return min(max(float(value), 0.0), 1.0)


def _short_str(value: Any, limit: int = 64) -> str | None:
    return value if isinstance(value, str) and 0 < len(value) <= limit else None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def ranking(parse_data: Mapping[str, Any]) -> tuple[Candidate, ...]:
    """The FAQ topics of the ResponseSelector, best first (the first three)."""
    found: list[Candidate] = []
    for key, selector in _mapping(parse_data.get("response_selector")).items():
        if key in RANKING_KEYS:
            continue
        entries = _mapping(selector).get("ranking")
        if not isinstance(entries, list):
            continue
        for entry in entries:
            entry = _mapping(entry)
            response_key = entry.get("intent_response_key")
            confidence = _number(entry.get("confidence"))
            if not isinstance(response_key, str) or "/" not in response_key or confidence is None:
                continue
            topic_id = response_key.split("/", 1)[1]
            if _short_str(topic_id) is not None:
                found.append(Candidate(topic_id, confidence))
    found.sort(key=lambda c: c.confidence, reverse=True)
    return tuple(found[:TOP_TOPICS])


def _owned(raw: Mapping[str, Any], parse_data: Mapping[str, Any]) -> bool:
    # The ownership gate (bot/channels/ownership.py) records `metadata.owned_by` on the
    # user event; Rasa copies the message's metadata into parse_data too.
    return bool(_mapping(raw.get("metadata")).get("owned_by") or _mapping(parse_data.get("metadata")).get("owned_by"))


def _user(raw: Mapping[str, Any], sender: str, at: datetime) -> UserTurn:
    text = raw.get("text")
    if text is not None and not isinstance(text, str):
        raise MalformedEvent("text")
    parse_data = _mapping(raw.get("parse_data"))
    intent = _mapping(parse_data.get("intent"))
    message_id = raw.get("message_id")
    return UserTurn(
        sender_id=sender,
        at=at,
        text=text[:MAX_TEXT_SCAN] if text else None,
        message_id=message_id if isinstance(message_id, str) and 0 < len(message_id) <= 255 else None,
        intent=_short_str(intent.get("name")),
        intent_confidence=_number(intent.get("confidence")),
        ranking=ranking(parse_data),
        owned_by_operator=_owned(raw, parse_data),
    )


def parse_event(raw: Any) -> Event | None:
    """The event monitoring uses, None for one it does not; MalformedEvent for nonsense."""
    if not isinstance(raw, Mapping):
        raise MalformedEvent("event")
    kind = raw.get("event")
    if not isinstance(kind, str):
        raise MalformedEvent("event")
    if kind not in ("user", "session_started", "action", "slot", "bot"):
        return None
    sender = _sender(raw)
    at = _moment(raw)
    if kind == "user":
        return _user(raw, sender, at)
    if kind == "session_started":
        return SessionStart(sender, at)
    if kind == "bot":
        return BotMessage(sender, at, by_operator=bool(_mapping(raw.get("metadata")).get("operator")))
    name = _short_str(raw.get("name"), 255)
    if name is None:
        raise MalformedEvent("name")
    if kind == "action":
        return ActionRun(sender, at, name) if name in USED_ACTIONS else None
    return SlotChange(sender, at, name, raw.get("value")) if name in USED_SLOTS else None
