"""GET /api/v1/feedback: newest first, paginated, filtered."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.models import Feedback
from tests.api.support import AUTH, parse_utc

VOTES = [
    ("buoni_pasto", "up"),
    ("buoni_pasto", "down"),
    ("fringe_benefit", "down"),
    ("premio_risultato", "up"),
    ("buoni_pasto", "up"),
]


def _seed(post_vote: Callable[..., dict[str, Any]]) -> list[int]:
    return [post_vote(conversation_id=f"c{i}", topic_id=t, vote=v)["id"] for i, (t, v) in enumerate(VOTES)]


def test_an_empty_database_gives_an_empty_page(client: TestClient) -> None:
    assert client.get("/api/v1/feedback", headers=AUTH).json() == {"items": [], "count": 0}


def test_items_have_every_field_and_utc_timestamps(
    client: TestClient, post_vote: Callable[..., dict[str, Any]]
) -> None:
    _seed(post_vote)
    items = client.get("/api/v1/feedback", headers=AUTH).json()["items"]
    for item in items:
        assert set(item) == {
            "id", "conversation_id", "channel", "topic_id", "vote", "confidence", "question", "created_at",
        }  # fmt: skip
        parse_utc(item["created_at"])


def test_newest_first(client: TestClient, post_vote: Callable[..., dict[str, Any]]) -> None:
    ids = _seed(post_vote)
    body = client.get("/api/v1/feedback", headers=AUTH).json()
    assert [item["id"] for item in body["items"]] == ids[::-1]
    assert body["count"] == len(VOTES)


def test_order_follows_the_timestamp_not_the_id(client: TestClient, engine: Engine) -> None:
    now = datetime.now(timezone.utc)
    with Session(engine) as session:
        for name, age in (("recente", 1), ("vecchio", 30), ("medio", 10)):
            session.add(
                Feedback(
                    conversation_id=name, channel="rest", topic_id="t", vote="up", created_at=now - timedelta(days=age)
                )
            )
        session.commit()
    items = client.get("/api/v1/feedback", headers=AUTH).json()["items"]
    assert [i["conversation_id"] for i in items] == ["recente", "medio", "vecchio"]


def test_limit_and_offset_page_through_and_count_is_the_total(
    client: TestClient, post_vote: Callable[..., dict[str, Any]]
) -> None:
    ids = _seed(post_vote)[::-1]
    first = client.get("/api/v1/feedback", params={"limit": 2}, headers=AUTH).json()
    second = client.get("/api/v1/feedback", params={"limit": 2, "offset": 2}, headers=AUTH).json()
    past_the_end = client.get("/api/v1/feedback", params={"offset": 10}, headers=AUTH).json()
    assert [i["id"] for i in first["items"]] == ids[:2]
    assert [i["id"] for i in second["items"]] == ids[2:4]
    assert past_the_end["items"] == []
    assert first["count"] == second["count"] == past_the_end["count"] == len(VOTES)


def test_limit_bounds(client: TestClient, post_vote: Callable[..., dict[str, Any]]) -> None:
    _seed(post_vote)
    assert len(client.get("/api/v1/feedback", params={"limit": 1}, headers=AUTH).json()["items"]) == 1
    assert len(client.get("/api/v1/feedback", params={"limit": 500}, headers=AUTH).json()["items"]) == len(VOTES)


def test_default_limit_is_100(client: TestClient, engine: Engine) -> None:
    with Session(engine) as session:
        session.add_all(Feedback(conversation_id=f"c{i}", channel="rest", topic_id="t", vote="up") for i in range(105))
        session.commit()
    body = client.get("/api/v1/feedback", headers=AUTH).json()
    assert len(body["items"]) == 100 and body["count"] == 105


def test_filter_by_topic(client: TestClient, post_vote: Callable[..., dict[str, Any]]) -> None:
    _seed(post_vote)
    body = client.get("/api/v1/feedback", params={"topic_id": "buoni_pasto"}, headers=AUTH).json()
    assert {i["topic_id"] for i in body["items"]} == {"buoni_pasto"}
    assert body["count"] == 3


def test_filter_by_vote(client: TestClient, post_vote: Callable[..., dict[str, Any]]) -> None:
    _seed(post_vote)
    body = client.get("/api/v1/feedback", params={"vote": "down"}, headers=AUTH).json()
    assert [i["topic_id"] for i in body["items"]] == ["fringe_benefit", "buoni_pasto"]
    assert body["count"] == 2


def test_filters_combine_with_pagination(client: TestClient, post_vote: Callable[..., dict[str, Any]]) -> None:
    ids = _seed(post_vote)
    params: dict[str, str | int] = {"topic_id": "buoni_pasto", "vote": "up", "limit": 1}
    body = client.get("/api/v1/feedback", params=params, headers=AUTH).json()
    assert [i["id"] for i in body["items"]] == [ids[4]]
    assert body["count"] == 2


def test_an_unknown_topic_gives_nothing(client: TestClient, post_vote: Callable[..., dict[str, Any]]) -> None:
    _seed(post_vote)
    body = client.get("/api/v1/feedback", params={"topic_id": "sconosciuto"}, headers=AUTH).json()
    assert body == {"items": [], "count": 0}
