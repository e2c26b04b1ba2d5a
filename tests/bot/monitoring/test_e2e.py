"""Monitoring through the real assistant (slow): REST messages in, dashboard and inbox out.

Both paths of endpoints.yml's broker: the embedded one (batches to the API), with the API
stopped for a while in the middle (the conversation goes on, the events arrive later),
and RabbitMQ (Rasa's Pika broker, `python -m api.monitoring.consumer`).
"""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from scripts.run_all import ROOT, Service, assistant_running, service_ports, start, stop_all, wait_healthy

pytestmark = pytest.mark.slow
MODEL = ROOT / "models" / "sportello.tar.gz"
TOKEN = "token-e2e-monitoraggio-abbastanza-lungo"
FAQ = "quanto valgono i buoni pasto nel 2026?"
NONSENSE = "zxqv blorf quando piove il gatto"


def _call(url: str, body: dict[str, Any] | None = None, timeout: float = 60) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"}
    with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers), timeout=timeout) as resp:
        return json.loads(resp.read())


def say(services: dict[str, Service], sender: str, text: str) -> list[dict[str, Any]]:
    replies: list[dict[str, Any]] = _call(
        f"{services['rasa'].public_url}/webhooks/rest/webhook", {"sender": sender, "message": text}
    )
    return replies


def vote_down(services: dict[str, Service], sender: str) -> None:
    """The FAQ question, answered, then its 👎 button as the widget sends it (signed)."""
    answer = say(services, sender, FAQ)
    down = next(b["payload"] for m in answer for b in m.get("buttons", []) if b["title"].startswith("👎"))
    assert say(services, sender, down)


def recorded(services: dict[str, Service]) -> dict[str, Any]:
    """What the dashboard and the inbox show now (last 30 days)."""
    api = services["api"].public_url
    board = _call(f"{api}/api/v1/monitoring/dashboard")
    tables = {table["name"]: table for table in board["tables"]}
    outcomes = {row["codice"]: row["messaggi"] for row in tables["esiti"]["rows"]}
    inbox = _call(f"{api}/api/v1/monitoring/review")
    texts = {text["text"] for group in inbox["groups"] for text in group["texts"]}
    return {"outcomes": outcomes, "messages": sum(outcomes.values()), "inbox": texts}


def until_recorded(services: dict[str, Service], messages: int, deadline_s: float = 60) -> dict[str, Any]:
    end = time.monotonic() + deadline_s
    while True:
        seen = recorded(services)
        if seen["messages"] >= messages or time.monotonic() > end:
            return seen
        time.sleep(0.5)


def _overrides(tmp_path_factory: pytest.TempPathFactory, **extra: str) -> dict[str, str]:
    return {
        "SPORTELLO_VAR_DIR": str(tmp_path_factory.mktemp("var")),
        **service_ports(),
        "SPORTELLO_SERVICE_TOKEN": TOKEN,
        **extra,
    }


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], dict[str, Service]]]:
    assert MODEL.exists(), "Modello assente: esegui `make train`"
    with assistant_running(_overrides(tmp_path_factory), timeout_s=240) as running:
        yield running


def test_every_message_reaches_the_dashboard_and_a_down_vote_the_inbox(
    embedded: tuple[dict[str, str], dict[str, Service]],
) -> None:
    _, services = embedded
    before = recorded(services)["messages"]
    vote_down(services, "e2e-monitor-1")
    assert say(services, "e2e-monitor-1", NONSENSE)
    seen = until_recorded(services, before + 3)
    assert seen["messages"] == before + 3
    assert FAQ in seen["inbox"]  # voted 👎: to review


def test_with_the_api_down_the_conversation_goes_on_and_the_events_arrive_later(
    embedded: tuple[dict[str, str], dict[str, Service]],
) -> None:
    env, services = embedded
    before = recorded(services)["messages"]
    stop_all([services["api"]])
    try:
        replies = say(services, "e2e-monitor-2", FAQ)
        assert replies and replies[0].get("text")  # answered as usual
        assert say(services, "e2e-monitor-2", NONSENSE)
    finally:
        start(services["api"], env)
        wait_healthy([services["api"]], timeout_s=120)
    seen = until_recorded(services, before + 2, deadline_s=90)
    assert seen["messages"] == before + 2


def test_the_rabbitmq_path_with_its_consumer(tmp_path_factory: pytest.TempPathFactory) -> None:
    assert MODEL.exists(), "Modello assente: esegui `make train`"
    queue = f"e2e_monitoring_{uuid.uuid4().hex[:8]}"
    overrides = _overrides(tmp_path_factory, SPORTELLO_MONITORING_BROKER="rabbitmq", SPORTELLO_RABBITMQ_QUEUE=queue)
    # With this broker the launcher starts the one consumer itself (turns are built in order).
    with assistant_running(overrides, timeout_s=240) as (_, services):
        assert "monitoraggio" in services
        vote_down(services, "e2e-rabbit-1")
        assert say(services, "e2e-rabbit-1", NONSENSE)
        seen = until_recorded(services, 3, deadline_s=90)
        assert seen["messages"] == 3 and FAQ in seen["inbox"]
