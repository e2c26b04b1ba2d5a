"""The queue: oldest first, keyset pages, filters and counts per status."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.models import utcnow
from tests.api.support import AUTH, error_detail

URL = "/api/v1/tickets"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
NO_COUNTS = {"nuovo": 0, "in_carico": 0, "in_attesa_utente": 0, "risolto": 0, "chiuso": 0, "riaperto": 0}


def _get(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get(URL, params=params, headers=AUTH)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _all_pages(client: TestClient, **params: Any) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        body = _get(client, **params, **({"cursor": cursor} if cursor else {}))
        pages.append([item["number"] for item in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) < 100


def _move(client: TestClient, number: str, status: str) -> None:
    response = client.post(f"{URL}/{number}/status", json={"status": status}, headers=AUTH)
    assert response.status_code == 200, response.text


def test_pages_cover_the_queue_oldest_first_exactly_once(client: TestClient, make_ticket: Callable[..., str]) -> None:
    # Inserted out of order, with ties on the creation time: the order is (created_at, id).
    minutes = [30, 10, 50, 10, 0, 40, 10, 20]
    numbers = [make_ticket(T0 + timedelta(minutes=m)) for m in minutes]
    expected = [number for _, number in sorted(zip(minutes, numbers, strict=True), key=lambda pair: pair[0])]

    pages = _all_pages(client, limit=3)
    assert [len(page) for page in pages] == [3, 3, 2]
    assert [number for page in pages for number in page] == expected

    one_page = _get(client)
    assert [item["number"] for item in one_page["items"]] == expected
    assert one_page["next_cursor"] is None


def test_an_exact_last_page_has_no_next_cursor(client: TestClient, make_ticket: Callable[..., str]) -> None:
    for minute in range(4):
        make_ticket(T0 + timedelta(minutes=minute))
    assert [len(page) for page in _all_pages(client, limit=2)] == [2, 2]
    assert _get(client, limit=4)["next_cursor"] is None


def test_paging_is_stable_while_the_queue_changes(client: TestClient, make_ticket: Callable[..., str]) -> None:
    numbers = [make_ticket(T0 + timedelta(minutes=m)) for m in range(6)]
    first = _get(client, limit=3)
    assert [item["number"] for item in first["items"]] == numbers[:3]

    _move(client, numbers[0], "in_carico")  # changes on an earlier page do not shift the next one
    newest = make_ticket(T0 + timedelta(days=1))
    rest = _get(client, limit=10, cursor=first["next_cursor"])
    assert [item["number"] for item in rest["items"]] == [*numbers[3:], newest]


def test_a_page_item_is_a_summary(client: TestClient, post_ticket: Callable[..., dict[str, Any]]) -> None:
    created = post_ticket()
    item = _get(client)["items"][0]
    assert item == {
        key: created[key]
        for key in (
            "number",
            "status",
            "priority",
            "channel",
            "conversation_id",
            "role",
            "company",
            "description",
            "assignee",
            "created_at",
            "updated_at",
        )
    } | {"contact_name": created["contact"]["name"]}


def test_filters_and_counts(client: TestClient, make_ticket: Callable[..., str]) -> None:
    now = utcnow()
    old_tg = make_ticket(now - timedelta(hours=30), conversation_id="telegram:1", channel="telegram")
    old_web = make_ticket(
        now - timedelta(hours=5),
        conversation_id="web:a",
        channel="webchat",
        contact={"name": "Bruno", "email": "b@example.it"},
    )
    new_tg = make_ticket(now - timedelta(minutes=5), conversation_id="telegram:2", channel="telegram")
    newer_tg = make_ticket(now - timedelta(minutes=1), conversation_id="telegram:1", channel="telegram")
    _move(client, old_tg, "in_carico")
    _move(client, new_tg, "chiuso")

    def numbers(**params: Any) -> list[str]:
        return [item["number"] for item in _get(client, **params)["items"]]

    assert numbers() == [old_tg, old_web, new_tg, newer_tg]
    assert numbers(status="nuovo") == [old_web, newer_tg]
    assert numbers(status=["nuovo", "in_carico"]) == [old_tg, old_web, newer_tg]
    assert numbers(channel="telegram") == [old_tg, new_tg, newer_tg]
    assert numbers(conversation_id="telegram:1") == [old_tg, newer_tg]
    assert numbers(older_than_hours=4) == [old_tg, old_web]
    assert numbers(older_than_hours=24) == [old_tg]
    assert numbers(channel="telegram", status="nuovo") == [newer_tg]
    assert numbers(channel="sms") == []

    # Counts follow every filter but the status, so the console can show all its tabs.
    assert _get(client)["counts"] == NO_COUNTS | {"nuovo": 2, "in_carico": 1, "chiuso": 1}
    assert _get(client, status="chiuso")["counts"] == NO_COUNTS | {"nuovo": 2, "in_carico": 1, "chiuso": 1}
    assert _get(client, channel="telegram")["counts"] == NO_COUNTS | {"nuovo": 1, "in_carico": 1, "chiuso": 1}
    assert _get(client, older_than_hours=4)["counts"] == NO_COUNTS | {"nuovo": 1, "in_carico": 1}
    assert _get(client, channel="sms") == {"items": [], "next_cursor": None, "counts": NO_COUNTS}


def test_filters_apply_on_every_page(client: TestClient, make_ticket: Callable[..., str]) -> None:
    numbers = [make_ticket(T0 + timedelta(minutes=m)) for m in range(9)]
    for number in numbers[::3]:
        _move(client, number, "in_carico")
    waiting = [n for i, n in enumerate(numbers) if i % 3]
    assert _all_pages(client, status="nuovo", limit=4) == [waiting[:4], waiting[4:]]


def _cursor(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "non-un-cursore",
        "!!!",
        _cursor(b"[1, 2, 3]"),
        _cursor(b'["2026-03-02T09:00:00", 1]'),  # no time zone
        _cursor(b'["2026-03-02T09:00:00+00:00", "1"]'),
        _cursor(b'["2026-03-02T09:00:00+00:00", true]'),
        _cursor(b'["ieri", 1]'),
        _cursor(b"\xff\xfe"),
    ],
)
def test_an_invalid_cursor_is_400(client: TestClient, cursor: str) -> None:
    response = client.get(URL, params={"cursor": cursor}, headers=AUTH)
    assert response.status_code == 400
    assert "Cursore non valido" in error_detail(response)


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 201}, {"status": "archiviato"}, {"older_than_hours": -1}])
def test_invalid_parameters_are_422(client: TestClient, params: dict[str, Any]) -> None:
    assert client.get(URL, params=params, headers=AUTH).status_code == 422
