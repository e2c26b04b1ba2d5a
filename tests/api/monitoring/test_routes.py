"""The monitoring routes: the broker's batches in, the dashboard and the inbox out."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

from tests.api.monitoring.rasa_events import Conversation
from tests.api.support import AUTH, error_detail

EVENTS = "/api/v1/monitoring/events"
PERIOD = {"start": "2026-03-01", "end": "2026-03-31"}


def _post(client: TestClient, conversation: Conversation, dropped: int = 0) -> dict[str, int]:
    response = client.post(EVENTS, json={"events": conversation.events, "dropped": dropped}, headers=AUTH)
    assert response.status_code == 200, response.text
    body: dict[str, int] = response.json()
    return body


def test_a_batch_is_stored_and_counted(client: TestClient) -> None:
    conversation = Conversation("rest-1").start().answered("buoni pasto", "buoni_pasto").not_understood("boh")
    body = _post(client, conversation)
    assert body["turns"] == 2 and body["rejected"] == 0 and body["ignored"] > 0
    assert _post(client, conversation)["turns"] == 0  # the same batch again


def test_the_dashboard_has_every_table_with_its_csv(client: TestClient) -> None:
    _post(client, Conversation("rest-1").start().answered("buoni pasto", "buoni_pasto"), dropped=2)
    response = client.get("/api/v1/monitoring/dashboard", params=PERIOD, headers=AUTH)
    assert response.status_code == 200, response.text
    board = response.json()
    tables = {table["name"]: table for table in board["tables"]}
    assert list(tables) == [
        "traffico",
        "esiti",
        "argomenti",
        "voti",
        "contenimento",
        "confidenza",
        "ticket",
        "raccolta",
    ]
    assert tables["traffico"]["rows"] == [{"giorno": "2026-03-02", "canale": "rest", "conversazioni": 1, "messaggi": 1}]
    # What was received (and lost) counts on the day it arrived: today.
    today = {t["name"]: t for t in client.get("/api/v1/monitoring/dashboard", headers=AUTH).json()["tables"]}
    assert {"misura": "Eventi persi dal server Rasa (coda piena)", "valore": 2} in today["raccolta"]["rows"]
    csv_url = tables["esiti"]["csv_url"]
    assert csv_url == "/api/v1/monitoring/export/esiti?start=2026-03-01&end=2026-03-31"
    exported = client.get(csv_url, headers=AUTH)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert 'filename="sportello-esiti-2026-03-01-2026-03-31.csv"' in exported.headers["content-disposition"]
    assert "risposta diretta;answered;1;1\r\n" in exported.text


def test_without_dates_the_last_30_days(client: TestClient) -> None:
    board = client.get("/api/v1/monitoring/dashboard", headers=AUTH).json()
    start, end = date.fromisoformat(board["start"]), date.fromisoformat(board["end"])
    assert (end - start).days == 29


def test_an_impossible_period_is_refused(client: TestClient) -> None:
    for params in ({"start": "2026-03-31", "end": "2026-03-01"}, {"start": "2020-01-01", "end": "2026-01-01"}):
        response = client.get("/api/v1/monitoring/dashboard", params=params, headers=AUTH)
        assert response.status_code == 400
        assert "Periodo non valido" in error_detail(response)
    assert client.get("/api/v1/monitoring/export/voti", params={"end": "1999-01-01"}, headers=AUTH).status_code == 400


def test_an_unknown_table_is_not_exported(client: TestClient) -> None:
    assert client.get("/api/v1/monitoring/export/segreti", headers=AUTH).status_code == 422


def test_the_review_inbox_groups_messages(client: TestClient) -> None:
    conversation = Conversation("rest-1").start()
    for text in ("posso pagare il veterinario?", "Posso pagare il veterinario", "pago il veterinario col welfare?"):
        conversation.not_understood(text)
    conversation.not_understood("quando scade il bando regionale")
    _post(client, conversation)
    response = client.get("/api/v1/monitoring/review", params=PERIOD, headers=AUTH)
    assert response.status_code == 200, response.text
    groups = response.json()["groups"]
    assert [group["size"] for group in groups] == [3, 1]
    assert groups[0]["reasons"] == {"not_understood": 3}
    assert groups[0]["suggested_topic"] == "welfare_cose"
    assert len(groups[0]["turn_ids"]) == 3
