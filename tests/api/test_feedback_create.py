"""POST /api/v1/feedback: the votes of the action server."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.support import AUTH, parse_utc, vote_payload


def test_a_vote_is_stored_and_returned_with_id_and_utc_timestamp(client: TestClient) -> None:
    before = datetime.now(timezone.utc)
    response = client.post("/api/v1/feedback", json=vote_payload(), headers=AUTH)
    after = datetime.now(timezone.utc)

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "created_at"}
    assert isinstance(body["id"], int)
    assert before <= parse_utc(body["created_at"]) <= after

    (item,) = client.get("/api/v1/feedback", headers=AUTH).json()["items"]
    assert item == {**vote_payload(), "id": body["id"], "created_at": body["created_at"]}


def test_confidence_and_question_may_be_null_or_missing(client: TestClient) -> None:
    payload = vote_payload(confidence=None, question=None)
    assert client.post("/api/v1/feedback", json=payload, headers=AUTH).status_code == 201
    del payload["confidence"], payload["question"]
    assert client.post("/api/v1/feedback", json=payload, headers=AUTH).status_code == 201
    items = client.get("/api/v1/feedback", headers=AUTH).json()["items"]
    assert [(i["confidence"], i["question"]) for i in items] == [(None, None), (None, None)]


@pytest.mark.parametrize(
    "overrides",
    [
        {"confidence": 0},
        {"confidence": 1},
        {"question": "x" * 1000},
        {"conversation_id": "c" * 128},
        {"channel": "t" * 32},
        {"topic_id": "a" + "b" * 63},
        {"topic_id": "x"},
        {"topic_id": "tuir_51_comma_3"},
        {"vote": "down"},
        {"question": "Perché l'IRPEF sui «fringe benefit» è così? 🤔"},
    ],
)
def test_boundary_values_are_accepted_and_kept(
    overrides: dict[str, Any], post_vote: Callable[..., dict[str, Any]], client: TestClient
) -> None:
    post_vote(**overrides)
    (item,) = client.get("/api/v1/feedback", headers=AUTH).json()["items"]
    for field, value in overrides.items():
        assert item[field] == value


def test_unknown_fields_are_ignored(client: TestClient) -> None:
    response = client.post("/api/v1/feedback", json=vote_payload(futuro="campo"), headers=AUTH)
    assert response.status_code == 201
    (item,) = client.get("/api/v1/feedback", headers=AUTH).json()["items"]
    assert "futuro" not in item


def test_ids_increase(post_vote: Callable[..., dict[str, Any]]) -> None:
    ids = [post_vote(conversation_id=f"c{i}")["id"] for i in range(3)]
    assert ids == sorted(ids) and len(set(ids)) == 3
