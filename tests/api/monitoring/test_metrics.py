"""The dashboard's arithmetic on a small dataset whose every figure is known."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.monitoring import metrics
from api.monitoring.export import to_csv
from api.monitoring.ingest import IngestResult
from tests.api.console.dashboard_data import DAY1, DAY2, conversations, seed_tickets


@pytest.fixture
def seeded(store: Callable[..., IngestResult], engine: Engine) -> Engine:
    for conversation in conversations():
        store(conversation.events)
    seed_tickets(engine)
    return engine


def _values(table: metrics.Table, key: str = "misura") -> dict[object, object]:
    return {row[key]: row["valore"] for row in table.rows}


def test_conversations_and_messages_per_day_and_channel(seeded: Engine, session: Session) -> None:
    board = metrics.dashboard(session, DAY1, DAY2)
    assert [tuple(row.values()) for row in board.table("traffico").rows] == [
        ("2026-03-02", "rest", 1, 4),
        ("2026-03-02", "telegram", 1, 3),
        ("2026-03-02", "webchat", 1, 3),
        ("2026-03-03", "rest", 1, 2),
    ]


def test_what_the_assistant_did_and_its_shares(seeded: Engine, session: Session) -> None:
    rows = {row["codice"]: row for row in metrics.dashboard(session, DAY1, DAY2).table("esiti").rows}
    assert {code: row["messaggi"] for code, row in rows.items()} == {
        "answered": 3,
        "selected": 1,
        "proposed": 1,
        "not_understood": 1,
        "out_of_scope": 1,
        "escalated": 1,
        "operator": 1,
        "other": 3,  # two votes and the form's answer
    }
    # Shares over the six questions the assistant had to answer itself.
    assert {code: row["quota_domande"] for code, row in rows.items() if row["quota_domande"] is not None} == {
        "answered": 0.5,
        "proposed": 0.1667,
        "not_understood": 0.1667,
        "out_of_scope": 0.1667,
    }


def test_containment_escalation_and_response_time(seeded: Engine, session: Session) -> None:
    figures = _values(metrics.dashboard(session, DAY1, DAY2).table("contenimento"))
    assert list(figures.values()) == [4, 3, 0.75, 1, 0.25, 400]


def test_top_topics_and_votes_per_topic(seeded: Engine, session: Session) -> None:
    board = metrics.dashboard(session, DAY1, DAY2)
    assert [tuple(row.values()) for row in board.table("argomenti").rows] == [
        ("buoni_pasto", 2, 0),
        ("welfare_familiari", 1, 1),
        ("fringe_cosa", 1, 0),
        ("fringe_figli_carico", 0, 1),
    ]
    assert [tuple(row.values()) for row in board.table("voti").rows] == [
        ("fringe_cosa", 0, 1, 0.0),
        ("buoni_pasto", 1, 0, 1.0),
    ]


def test_confidence_distribution(seeded: Engine, session: Session) -> None:
    rows = metrics.dashboard(session, DAY1, DAY2).table("confidenza").rows
    assert [row["domande"] for row in rows] == [1, 0, 0, 1, 0, 1, 0, 1, 0, 1]
    assert rows[9]["fascia"] == "0,9–1,0"


def test_tickets_opened_and_median_times(seeded: Engine, session: Session) -> None:
    figures = _values(metrics.dashboard(session, DAY1, DAY2).table("ticket"))
    assert list(figures.values()) == [2, 2, 60.0, 1, 2.0]


def test_the_period_filters_every_table(seeded: Engine, session: Session) -> None:
    board = metrics.dashboard(session, DAY2, DAY2)
    assert [row["messaggi"] for row in board.table("traffico").rows] == [2]
    assert list(_values(board.table("contenimento")).values())[:3] == [1, 1, 1.0]
    assert list(_values(board.table("ticket")).values()) == [1, 1, 90.0, 0, None]
    assert [tuple(row.values()) for row in board.table("argomenti").rows] == [("buoni_pasto", 1, 0)]
    empty = metrics.dashboard(session, date(2025, 1, 1), date(2025, 1, 31))
    assert empty.table("traffico").rows == [] and _values(empty.table("contenimento"))["Conversazioni"] == 0


def test_every_table_exports_as_italian_csv(seeded: Engine, session: Session) -> None:
    board = metrics.dashboard(session, DAY1, DAY2)
    exported = to_csv(board.table("esiti"))
    assert exported.startswith("\ufeffEsito;Codice;Messaggi;Quota sulle domande\r\n")
    assert "risposta diretta;answered;3;0,5\r\n" in exported
    assert "risposto da un operatore;operator;1;\r\n" in exported
    for name in metrics.TABLE_NAMES:
        table = board.table(name)
        lines = to_csv(table).removeprefix("\ufeff").splitlines()
        assert len(lines) == len(table.rows) + 1 and lines[0].count(";") == len(table.columns) - 1
