"""Creating tickets: what is stored, idempotent retries, refusals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from api.models import utcnow
from api.tickets.models import Ticket
from api.tickets.numbering import format_number, number_year
from tests.api.support import AUTH, error_detail, parse_utc, ticket_payload

URL = "/api/v1/tickets"


def _post(client: TestClient, payload: dict[str, Any], key: str = "chiave-1") -> Any:
    return client.post(URL, json=payload, headers={**AUTH, "Idempotency-Key": key})


def _count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Ticket)) or 0


def test_a_ticket_keeps_everything_the_operator_needs(client: TestClient) -> None:
    payload = ticket_payload()
    before = utcnow()
    response = _post(client, payload)
    after = utcnow()

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["number"] == format_number(number_year(before), 1)
    assert response.headers["Location"] == f"/api/v1/tickets/{body['number']}"
    assert body["status"] == "nuovo"
    assert body["allowed_transitions"] == ["in_carico", "chiuso"]
    assert body["priority"] == "normale"
    assert {key: body[key] for key in ("channel", "conversation_id", "role", "company", "description")} == {
        key: payload[key] for key in ("channel", "conversation_id", "role", "company", "description")
    }
    assert body["contact"] == payload["contact"]
    assert parse_utc(body["consent_at"]) == datetime(2026, 3, 2, 9, 15, tzinfo=timezone.utc)
    assert body["privacy_notice_version"] == "2026-01"
    assert body["transcript"] == [
        {**turn, **{key: turn.get(key) for key in ("intent", "confidence", "topic")}} for turn in payload["transcript"]
    ]
    assert body["slots"] == payload["slots"]
    assert body["assignee"] is None
    assert before <= parse_utc(body["created_at"]) <= after
    assert body["updated_at"] == body["created_at"]
    assert body["first_response_at"] is None and body["resolved_at"] is None
    assert body["queue_position"] == 1
    assert body["events"] == [
        {
            "at": body["created_at"],
            "actor_kind": "service",
            "actor_id": "assistente",
            "from_status": None,
            "to_status": "nuovo",
        }
    ]
    assert client.get(f"{URL}/{body['number']}", headers=AUTH).json() == body


def test_a_retry_with_the_same_key_returns_the_same_ticket(client: TestClient, engine: Engine) -> None:
    first = _post(client, ticket_payload(), key="escalation-abc")
    retry = _post(client, ticket_payload(), key="escalation-abc")
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json() == first.json()
    assert retry.headers["Location"] == first.headers["Location"]
    assert _count(engine) == 1


def test_a_retry_spelling_the_same_request_differently_is_still_a_retry(client: TestClient) -> None:
    first = _post(client, ticket_payload(), key="k")
    payload = ticket_payload(consent_at="2026-03-02T10:15:00+01:00")  # the same instant
    payload = dict(reversed(payload.items()))
    assert _post(client, payload, key="k").json()["number"] == first.json()["number"]


def test_the_same_key_for_a_different_request_is_refused(client: TestClient, engine: Engine) -> None:
    first = _post(client, ticket_payload(), key="k")
    other = _post(client, ticket_payload(description="Un'altra domanda"), key="k")
    assert other.status_code == 422
    assert "Idempotency-Key" in error_detail(other) and "diversa" in error_detail(other)
    assert _count(engine) == 1
    stored = client.get(f"{URL}/{first.json()['number']}", headers=AUTH).json()
    assert stored["description"] == ticket_payload()["description"]


def test_different_keys_make_different_tickets(post_ticket: Callable[..., dict[str, Any]]) -> None:
    first, second = post_ticket(key="a"), post_ticket(key="b")
    assert first["number"].endswith("-000001") and second["number"].endswith("-000002")
    assert second["queue_position"] == 2


@pytest.mark.parametrize("headers", [{}, {"Idempotency-Key": ""}, {"Idempotency-Key": "x" * 129}])
def test_the_idempotency_key_is_required(client: TestClient, engine: Engine, headers: dict[str, str]) -> None:
    response = client.post(URL, json=ticket_payload(), headers={**AUTH, **headers})
    assert response.status_code == 422
    assert _count(engine) == 0


@pytest.mark.parametrize(
    ("contact", "conversation_id", "message"),
    [
        ({"name": "Anna"}, "telegram:1", "Serve almeno un recapito"),
        ({"name": "Anna", "via_chat": False}, "web:abc", "Serve almeno un recapito"),
        ({"name": "Anna", "via_chat": True}, "app-42", "solo per le conversazioni Telegram o della chat web"),
    ],
)
def test_a_ticket_needs_a_way_to_reach_the_user(
    client: TestClient, engine: Engine, contact: dict[str, Any], conversation_id: str, message: str
) -> None:
    response = _post(client, ticket_payload(contact=contact, conversation_id=conversation_id, channel="webchat"))
    assert response.status_code == 400
    assert message in error_detail(response)
    assert _count(engine) == 0


@pytest.mark.parametrize(
    "contact",
    [
        {"name": "Anna", "email": "anna@example.it"},
        {"name": "Anna", "phone": "+39 333 123 4567"},
        {"name": "Anna", "phone": "0112345678"},
    ],
)
def test_email_or_phone_is_enough_outside_telegram(client: TestClient, contact: dict[str, Any]) -> None:
    response = _post(client, ticket_payload(contact=contact, conversation_id="web:abc", channel="webchat"))
    assert response.status_code == 201, response.text
    assert response.json()["contact"] == {"email": None, "phone": None, "via_chat": False, **contact}


@pytest.mark.parametrize(
    "overrides",
    [
        {"role": "dirigente"},
        {"priority": "altissima"},
        {"description": ""},
        {"description": "x" * 2001},
        {"conversation_id": ""},
        {"consent_at": "2026-03-02T09:15:00"},  # no time zone
        {"contact": {"name": "Anna", "email": "non-una-email"}},
        {"contact": {"name": "Anna", "phone": "chiamami"}},
        {"contact": {"name": "", "via_chat": True}},
        {"transcript": [{"who": "sistema", "text": "x", "at": "2026-03-02T09:14:00Z"}]},
        {"transcript": [{"who": "user", "text": "x", "at": "2026-03-02T09:14:00Z", "confidence": 1.5}]},
        {"slots": {"lungo": "x" * 20_001}},
    ],
    ids=lambda overrides: next(iter(overrides)),
)
def test_invalid_requests_are_refused_and_not_stored(
    client: TestClient, engine: Engine, overrides: dict[str, Any]
) -> None:
    response = _post(client, ticket_payload(**overrides))
    assert response.status_code == 422
    assert _count(engine) == 0


def test_a_refused_request_does_not_burn_a_number(client: TestClient) -> None:
    _post(client, ticket_payload(role="dirigente"), key="a")
    _post(client, ticket_payload(contact={"name": "Anna"}), key="b")
    assert _post(client, ticket_payload(), key="c").json()["number"].endswith("-000001")


def test_the_key_of_a_refused_request_can_be_used_again(client: TestClient) -> None:
    assert _post(client, ticket_payload(contact={"name": "Anna"}), key="k").status_code == 400
    assert _post(client, ticket_payload(), key="k").status_code == 201


def test_optional_fields(client: TestClient) -> None:
    payload = ticket_payload(company=None, transcript=[], slots={}, priority="alta")
    body = _post(client, payload).json()
    assert (body["company"], body["transcript"], body["slots"], body["priority"]) == (None, [], {}, "alta")


def test_timestamps_are_utc(client: TestClient) -> None:
    body = _post(client, ticket_payload(consent_at="2026-03-02T10:15:00+01:00")).json()
    assert body["consent_at"] == "2026-03-02T09:15:00Z"
    assert parse_utc(body["created_at"]).utcoffset() == timedelta(0)


def test_authentication_comes_before_validation(client: TestClient) -> None:
    response = client.post(URL, json={"role": "dirigente"})  # no token, no key, invalid body
    assert response.status_code == 401


@pytest.mark.parametrize("conversation_id", ["telegram:42", "web:AAAAAAAAAAAAAAAAAAAAAAAA"])
def test_the_chat_itself_is_a_way_to_reach_telegram_and_web_chat_users(
    client: TestClient, conversation_id: str
) -> None:
    channel = "telegram" if conversation_id.startswith("telegram:") else "webchat"
    payload = ticket_payload(
        contact={"name": "Anna", "via_chat": True}, conversation_id=conversation_id, channel=channel
    )
    response = _post(client, payload)
    assert response.status_code == 201, response.text
    assert response.json()["contact"]["via_chat"] is True


@pytest.mark.parametrize(
    ("field", "value"),
    [("confidence", False), ("confidence", "0.5"), ("at", 0), ("at", 1_790_000_000)],
)
def test_a_wrong_type_in_the_transcript_is_refused_not_coerced(client: TestClient, field: str, value: Any) -> None:
    turn = {"who": "user", "text": "ciao", "at": "2026-11-30T10:00:00Z", field: value}
    response = _post(client, ticket_payload(transcript=[turn]))
    assert response.status_code == 422, response.text
