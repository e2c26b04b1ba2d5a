"""The dashboard's figures for a period: one place computes each of them.

Everything but the ticket figures reads the daily counters (api/monitoring/aggregates.py),
a few hundred rows for a year; the tickets come from the ticket store itself. Each
table has Italian column labels, for the console's pages and the CSV export.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.monitoring import outcomes
from api.monitoring.days import day_start, local_day
from api.monitoring.models import DailyConfidence, DailyIngest, DailyTopic, DailyTraffic
from api.tickets.models import Ticket

TOP_TOPICS = 20
Value = str | int | float | None


@dataclass(frozen=True)
class Column:
    key: str
    label: str


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Value]] = field(default_factory=list)


@dataclass
class Dashboard:
    start: date
    end: date
    tables: dict[str, Table]

    def table(self, name: str) -> Table:
        return self.tables[name]


TABLE_NAMES = (
    "traffico",
    "esiti",
    "argomenti",
    "voti",
    "contenimento",
    "confidenza",
    "ticket",
    "raccolta",
)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _between(column: Any, start: date, end: date) -> Any:
    return column.between(start, end)


def _traffic(session: Session, start: date, end: date) -> Table:
    query = (
        select(DailyTraffic.day, DailyTraffic.channel, DailyTraffic.conversations, DailyTraffic.turns)
        .where(_between(DailyTraffic.day, start, end))
        .order_by(DailyTraffic.day, DailyTraffic.channel)
    )
    rows: list[dict[str, Value]] = [
        {"giorno": day.isoformat(), "canale": channel, "conversazioni": conversations, "messaggi": turns}
        for day, channel, conversations, turns in session.execute(query)
    ]
    columns = [
        Column("giorno", "Giorno"),
        Column("canale", "Canale"),
        Column("conversazioni", "Conversazioni"),
        Column("messaggi", "Messaggi"),
    ]
    return Table("traffico", "Conversazioni e messaggi per giorno e canale", columns, rows)


TOTAL_COLUMNS = (
    "conversations",
    "turns",
    *outcomes.OUTCOMES,
    "votes_up",
    "votes_down",
    "escalated_conversations",
    "ticket_conversations",
    "response_ms_total",
    "responses",
)


def totals(session: Session, start: date, end: date) -> dict[str, int]:
    """The daily counters of every channel, summed over the period."""
    query = select(*(func.coalesce(func.sum(getattr(DailyTraffic, c)), 0) for c in TOTAL_COLUMNS)).where(
        _between(DailyTraffic.day, start, end)
    )
    row = session.execute(query).one()
    return {column: int(value) for column, value in zip(TOTAL_COLUMNS, row, strict=True)}


def _outcomes(sums: dict[str, int]) -> Table:
    questions = sum(sums[o] for o in outcomes.QUESTION_OUTCOMES)
    rows: list[dict[str, Value]] = [
        {
            "esito": outcomes.OUTCOME_LABELS[outcome],
            "codice": outcome,
            "messaggi": sums[outcome],
            "quota_domande": _share(sums[outcome], questions) if outcome in outcomes.QUESTION_OUTCOMES else None,
        }
        for outcome in outcomes.OUTCOMES
    ]
    columns = [
        Column("esito", "Esito"),
        Column("codice", "Codice"),
        Column("messaggi", "Messaggi"),
        Column("quota_domande", "Quota sulle domande"),
    ]
    return Table("esiti", "Cosa ha fatto l'assistente", columns, rows)


def _containment(sums: dict[str, int]) -> Table:
    conversations = sums["conversations"]
    with_ticket = sums["ticket_conversations"]
    escalated = sums["escalated_conversations"]
    responses = sums["responses"]
    rows: list[dict[str, Value]] = [
        {"misura": "Conversazioni", "valore": conversations},
        {"misura": "Conversazioni chiuse senza ticket", "valore": conversations - with_ticket},
        {"misura": "Contenimento (senza ticket / tutte)", "valore": _share(conversations - with_ticket, conversations)},
        {"misura": "Conversazioni passate a un operatore", "valore": escalated},
        {"misura": "Tasso di passaggio a un operatore", "valore": _share(escalated, conversations)},
        {
            "misura": "Tempo medio di risposta dell'assistente (ms)",
            "valore": round(sums["response_ms_total"] / responses) if responses else None,
        },
    ]
    return Table(
        "contenimento",
        "Contenimento e passaggi a un operatore",
        [Column("misura", "Misura"), Column("valore", "Valore")],
        rows,
    )


def _topics(session: Session, start: date, end: date) -> tuple[Table, Table]:
    query = (
        select(
            DailyTopic.topic_id,
            func.sum(DailyTopic.answered),
            func.sum(DailyTopic.proposed),
            func.sum(DailyTopic.votes_up),
            func.sum(DailyTopic.votes_down),
        )
        .where(_between(DailyTopic.day, start, end))
        .group_by(DailyTopic.topic_id)
    )
    found = [(topic, int(a), int(p), int(up), int(down)) for topic, a, p, up, down in session.execute(query)]
    top = sorted((r for r in found if r[1] or r[2]), key=lambda r: (-r[1], -r[2], r[0]))[:TOP_TOPICS]
    topics = Table(
        "argomenti",
        f"Argomenti più richiesti (primi {TOP_TOPICS})",
        [
            Column("argomento", "Argomento"),
            Column("risposte", "Risposte"),
            Column("proposte", "Volte proposto"),
        ],
        [{"argomento": t, "risposte": a, "proposte": p} for t, a, p, _, _ in top],
    )
    voted = sorted((r for r in found if r[3] or r[4]), key=lambda r: (-r[4], -r[3], r[0]))
    votes = Table(
        "voti",
        "👍/👎 per argomento (prima i più 👎)",
        [
            Column("argomento", "Argomento"),
            Column("utili", "👍 utile"),
            Column("non_utili", "👎 non utile"),
            Column("quota_utili", "Quota 👍"),
        ],
        [
            {"argomento": t, "utili": up, "non_utili": down, "quota_utili": _share(up, up + down)}
            for t, _, _, up, down in voted
        ],
    )
    return topics, votes


def _confidence(session: Session, start: date, end: date) -> Table:
    query = (
        select(DailyConfidence.bucket, func.sum(DailyConfidence.turns))
        .where(_between(DailyConfidence.day, start, end))
        .group_by(DailyConfidence.bucket)
    )
    counts = {bucket: int(turns) for bucket, turns in session.execute(query)}
    rows: list[dict[str, Value]] = [
        {
            "fascia": f"{bucket / 10:.1f}–{(bucket + 1) / 10:.1f}".replace(".", ","),
            "da": bucket / 10,
            "domande": counts.get(bucket, 0),
        }
        for bucket in range(10)
    ]
    columns = [Column("fascia", "Fascia di confidenza"), Column("da", "Da"), Column("domande", "Domande")]
    return Table("confidenza", "Confidenza dell'argomento migliore (domande FAQ)", columns, rows)


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _tickets(session: Session, start: date, end: date) -> Table:
    since, until = day_start(start), day_start(end + timedelta(days=1))
    query = select(Ticket.created_at, Ticket.first_response_at, Ticket.resolved_at).where(
        Ticket.created_at >= since, Ticket.created_at < until
    )
    opened = 0
    first_reply: list[float] = []
    resolution: list[float] = []
    for created_at, first_response_at, resolved_at in session.execute(query):
        opened += 1
        if first_response_at is not None:
            first_reply.append((first_response_at - created_at).total_seconds() / 60)
        if resolved_at is not None:
            resolution.append((resolved_at - created_at).total_seconds() / 3600)
    rows: list[dict[str, Value]] = [
        {"misura": "Ticket aperti", "valore": opened},
        {"misura": "Ticket con una prima risposta", "valore": len(first_reply)},
        {"misura": "Mediana del tempo alla prima risposta (minuti)", "valore": _median(first_reply)},
        {"misura": "Ticket risolti", "valore": len(resolution)},
        {"misura": "Mediana del tempo alla risoluzione (ore)", "valore": _median(resolution)},
    ]
    return Table("ticket", "Ticket aperti nel periodo", [Column("misura", "Misura"), Column("valore", "Valore")], rows)


def _ingest(session: Session, start: date, end: date) -> Table:
    query = select(
        func.coalesce(func.sum(DailyIngest.events), 0),
        func.coalesce(func.sum(DailyIngest.rejected), 0),
        func.coalesce(func.sum(DailyIngest.dropped), 0),
    ).where(_between(DailyIngest.day, start, end))
    events, rejected, dropped = (int(v) for v in session.execute(query).one())
    rows: list[dict[str, Value]] = [
        {"misura": "Eventi registrati", "valore": events},
        {"misura": "Eventi scartati perché non validi", "valore": rejected},
        {"misura": "Eventi persi dal server Rasa (coda piena)", "valore": dropped},
    ]
    columns = [Column("misura", "Misura"), Column("valore", "Valore")]
    return Table("raccolta", "Raccolta dei dati di monitoraggio", columns, rows)


def dashboard(session: Session, start: date, end: date) -> Dashboard:
    """Every table of the dashboard for the days from `start` to `end` (Europe/Rome, inclusive)."""
    sums = totals(session, start, end)
    topics, votes = _topics(session, start, end)
    tables = [
        _traffic(session, start, end),
        _outcomes(sums),
        topics,
        votes,
        _containment(sums),
        _confidence(session, start, end),
        _tickets(session, start, end),
        _ingest(session, start, end),
    ]
    return Dashboard(start, end, {table.name: table for table in tables})


def default_period(today: date | None = None, days: int = 30) -> tuple[date, date]:
    end = today or local_day(datetime.now().astimezone())
    return end - timedelta(days=days - 1), end
