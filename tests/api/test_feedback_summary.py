"""GET /api/v1/feedback/summary: 👍/👎 per topic for the FAQ review."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.api.support import AUTH


def test_no_votes_no_rows(client: TestClient) -> None:
    assert client.get("/api/v1/feedback/summary", headers=AUTH).json() == {"items": []}


def test_counts_per_topic_most_disliked_first(client: TestClient, post_vote: Callable[..., dict[str, Any]]) -> None:
    votes = {
        "buoni_pasto": ["up", "up", "up", "down"],
        "fringe_benefit": ["down", "down", "up"],
        "premio_risultato": ["up"],
        "babysitting": ["down"],
        "asili_nido": ["down", "up", "up"],
    }
    for topic, topic_votes in votes.items():
        for vote in topic_votes:
            post_vote(topic_id=topic, vote=vote)

    items = client.get("/api/v1/feedback/summary", headers=AUTH).json()["items"]
    assert items == [
        {"topic_id": "fringe_benefit", "up": 1, "down": 2},
        # same 👎: fewer 👍 first, then by name
        {"topic_id": "babysitting", "up": 0, "down": 1},
        {"topic_id": "asili_nido", "up": 2, "down": 1},
        {"topic_id": "buoni_pasto", "up": 3, "down": 1},
        {"topic_id": "premio_risultato", "up": 1, "down": 0},
    ]
