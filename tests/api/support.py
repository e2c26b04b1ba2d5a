"""Constants and helpers shared by the API tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

TOKEN = "token-di-prova-abbastanza-lungo"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def vote_payload(**overrides: Any) -> dict[str, Any]:
    """A vote as the action server sends it (bot/actions/clients/sportello_api.py)."""
    payload: dict[str, Any] = {
        "conversation_id": "conv-1",
        "channel": "rest",
        "topic_id": "buoni_pasto",
        "vote": "up",
        "confidence": 0.87,
        "question": "fino a quanto sono esenti i buoni pasto?",
    }
    payload.update(overrides)
    return payload


def parse_utc(value: str) -> datetime:
    """An API timestamp, checked to be timezone-aware UTC."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert parsed.utcoffset() == timedelta(0), value
    return parsed
