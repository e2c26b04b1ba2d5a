"""The conversation as an operator needs to read it, taken from the tracker when a ticket opens.

User and bot turns with time, intent, confidence and the FAQ topic the assistant chose;
a pressed button shows as what it did, not as its payload. Codice fiscale and IBAN
are taken out of what the user wrote (sportello/redaction.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

from bot.kb.render import topic_id_from_key
from sportello.redaction import TICKET_KINDS, redact

MAX_TURNS = 100
MAX_TEXT = 4000


def _at(event: Mapping[str, Any]) -> str:
    timestamp = event.get("timestamp")
    moment = datetime.fromtimestamp(float(timestamp), timezone.utc) if timestamp else datetime.now(timezone.utc)
    return moment.isoformat()


def _topic(parse_data: Mapping[str, Any]) -> str | None:
    selector = (parse_data.get("response_selector") or {}).get("faq") or {}
    key = (selector.get("response") or {}).get("intent_response_key")
    return topic_id_from_key(str(key)) if key else None


def _user_turn(event: Mapping[str, Any]) -> dict[str, Any]:
    parse_data = event.get("parse_data") or {}
    intent = parse_data.get("intent") or {}
    raw = str(event.get("text") or "")
    pressed = raw.startswith("/")
    text = f"(pulsante: {intent.get('name') or raw[1:]})" if pressed else redact(raw, TICKET_KINDS).text
    confidence = intent.get("confidence")
    return {
        "who": "user",
        "text": text[:MAX_TEXT],
        "at": _at(event),
        "intent": intent.get("name"),
        "confidence": round(float(confidence), 4) if isinstance(confidence, (int, float)) else None,
        "topic": _topic(parse_data),
    }


def _bot_turn(event: Mapping[str, Any]) -> dict[str, Any] | None:
    text = str(event.get("text") or "").strip()
    if not text:
        return None
    metadata = event.get("metadata") or {}
    who = "operator" if metadata.get("operator") else "bot"
    return {"who": who, "text": text[:MAX_TEXT], "at": _at(event)}


def transcript(events: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The last turns of the conversation, oldest first."""
    turns: list[dict[str, Any]] = []
    for event in events:
        if event.get("event") == "user":
            turns.append(_user_turn(event))
        elif event.get("event") == "bot" and (turn := _bot_turn(event)) is not None:
            turns.append(turn)
    return turns[-MAX_TURNS:]
