"""Concurrent creations: distinct consecutive numbers, one ticket per idempotency key.

Requests go through the API from 20 threads released at once; each thread has its own
TestClient on the running app (its engine and connection pool are shared).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.api.support import AUTH, ticket_payload

THREADS = 20


def _at_once(app: FastAPI, keys: list[str]) -> list[tuple[int, dict[str, Any]]]:
    barrier = threading.Barrier(len(keys))

    def create(key: str) -> tuple[int, dict[str, Any]]:
        client = TestClient(app)  # no lifespan: the app is already started by the `client` fixture
        barrier.wait(timeout=30)
        response = client.post(
            "/api/v1/tickets",
            json=ticket_payload(conversation_id=f"telegram:{key}"),
            headers={**AUTH, "Idempotency-Key": key},
        )
        return response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=len(keys)) as pool:
        return list(pool.map(create, keys))


def test_concurrent_creations_get_distinct_consecutive_numbers(client: TestClient, app: FastAPI) -> None:
    results = _at_once(app, [f"k{i}" for i in range(THREADS)])
    assert [status for status, _ in results] == [201] * THREADS, results
    numbers = sorted(body["number"] for _, body in results)
    year = numbers[0].split("-")[1]
    assert numbers == [f"SW-{year}-{n:06d}" for n in range(1, THREADS + 1)]
    page = client.get("/api/v1/tickets", params={"limit": 50}, headers=AUTH).json()
    assert sorted(item["number"] for item in page["items"]) == numbers


def test_concurrent_retries_make_one_ticket_and_burn_no_number(
    client: TestClient, app: FastAPI, post_ticket: Callable[..., dict[str, Any]]
) -> None:
    # The same body from every thread (the conversation id comes from the key).
    results = _at_once(app, ["stessa-chiave"] * THREADS)
    assert sorted(status for status, _ in results) == [200] * (THREADS - 1) + [201]
    assert len({body["number"] for _, body in results}) == 1
    assert client.get("/api/v1/tickets", headers=AUTH).json()["counts"]["nuovo"] == 1
    assert post_ticket()["number"].endswith("-000002")  # the losers' increments were rolled back
