"""Constants and helpers shared by the API tests."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from http import HTTPStatus
from typing import Any, Protocol

from sportello.problems import MEDIA_TYPE, STANDARD_MEMBERS

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


class ProblemResponse(Protocol):
    @property
    def status_code(self) -> int: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    def json(self) -> Any: ...


def ticket_payload(**overrides: Any) -> dict[str, Any]:
    """An escalation as the action server sends it to `POST /api/v1/tickets`."""
    payload: dict[str, Any] = {
        "channel": "telegram",
        "conversation_id": "telegram:424242",
        "contact": {"name": "Anna Rossi", "email": "anna.rossi@example.it", "phone": None, "via_chat": True},
        "role": "lavoratore",
        "company": "Cooperativa Il Melo",
        "description": "I buoni pasto elettronici sono esenti fino a 10 euro anche nel 2026?",
        "consent_at": "2026-03-02T09:15:00Z",
        "privacy_notice_version": "2026-01",
        "transcript": [
            {
                "who": "user",
                "text": "quanto valgono i buoni pasto?",
                "at": "2026-03-02T09:14:00Z",
                "intent": "faq",
                "confidence": 0.41,
                "topic": "buoni_pasto",
            },
            {"who": "bot", "text": "Forse intendevi…", "at": "2026-03-02T09:14:01Z"},
        ],
        "slots": {"last_faq_topic": "buoni_pasto", "last_faq_question": "quanto valgono i buoni pasto?"},
    }
    payload.update(overrides)
    return payload


def problem_body(response: ProblemResponse) -> dict[str, Any]:
    """An error's RFC 9457 problem details, checked: media type, standard members, Italian `detail`."""
    assert response.headers["content-type"] == MEDIA_TYPE, response.headers
    body = response.json()
    assert isinstance(body, dict), body
    assert body["status"] == response.status_code, body
    assert body["type"] == "about:blank" and body["title"] == HTTPStatus(response.status_code).phrase, body
    assert isinstance(body["detail"], str) and body["detail"], body
    return body


def error_detail(response: ProblemResponse) -> str:
    """The Italian message of an error (the problem's `detail`). Tests read errors only through here."""
    detail: str = problem_body(response)["detail"]
    return detail


def error_field(response: ProblemResponse, key: str) -> Any:
    """An extension member of an error (e.g. `allowed`), top-level in the problem details."""
    assert key not in STANDARD_MEMBERS, f"{key!r} is a standard member of RFC 9457, not an extension: rename it"
    body = problem_body(response)
    assert key in body, body
    return body[key]


def error_fields(response: ProblemResponse) -> dict[tuple[Any, ...], dict[str, Any]]:
    """A 422's per-field errors (the `errors` extension), by location."""
    assert response.status_code == 422, response.json()
    return {tuple(error["loc"]): error for error in error_field(response, "errors")}


def parse_utc(value: str) -> datetime:
    """An API timestamp, checked to be timezone-aware UTC."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert parsed.utcoffset() == timedelta(0), value
    return parsed
