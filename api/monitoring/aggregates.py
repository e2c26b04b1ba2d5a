"""The daily counters behind the dashboard, kept up to date on ingest.

What a turn or a conversation adds to the counters is one function each
(`turn_counts`, `conversation_counts`). Ingest takes a row's contribution when it
first touches the row and again at the end of the batch, and adds the difference, so
a turn whose outcome is settled by a later event (or a later batch) moves from one
counter to the other instead of being counted twice. `rebuild` recomputes the same
counters from the stored rows with the same functions: the tests compare the two.

Counts only, no personal data: purge and erasure leave them, so a year of figures
survives messages kept for 180 days.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import Any, Protocol

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Session

from api.monitoring import outcomes
from api.monitoring.models import (
    DailyConfidence,
    DailyIngest,
    DailyTopic,
    DailyTraffic,
    MonitoredConversation,
    MonitoredTurn,
)

Key = tuple[type[DeclarativeBase], tuple[Any, ...]]
KEY_COLUMNS: dict[type[DeclarativeBase], tuple[str, ...]] = {
    DailyTraffic: ("day", "channel"),
    DailyTopic: ("day", "topic_id"),
    DailyConfidence: ("day", "bucket"),
    DailyIngest: ("day",),
}
INSERT_ROWS = 500


class TurnFacts(Protocol):
    """What the counters read of a turn (a MonitoredTurn, or a row of its columns)."""

    @property
    def day(self) -> date: ...
    @property
    def channel(self) -> str: ...
    @property
    def outcome(self) -> str: ...
    @property
    def vote(self) -> str | None: ...
    @property
    def response_ms(self) -> int | None: ...
    @property
    def answered_topic(self) -> str | None: ...
    @property
    def proposed_topics(self) -> str | None: ...
    @property
    def intent(self) -> str | None: ...
    @property
    def topic_confidence(self) -> float | None: ...


TURN_FACTS = (
    MonitoredTurn.day,
    MonitoredTurn.channel,
    MonitoredTurn.outcome,
    MonitoredTurn.vote,
    MonitoredTurn.response_ms,
    MonitoredTurn.answered_topic,
    MonitoredTurn.proposed_topics,
    MonitoredTurn.intent,
    MonitoredTurn.topic_confidence,
)


class Deltas:
    """Counter changes per row of the daily tables, written in one upsert per table."""

    def __init__(self) -> None:
        self.rows: dict[Key, Counter[str]] = {}

    def add(self, table: type[DeclarativeBase], key: tuple[Any, ...], counts: dict[str, int], sign: int = 1) -> None:
        row = self.rows.setdefault((table, key), Counter())
        for column, value in counts.items():
            row[column] += sign * value

    def add_all(self, contributions: Iterable[tuple[Key, dict[str, int]]], sign: int = 1) -> None:
        for (table, key), counts in contributions:
            self.add(table, key, counts, sign)

    def flush(self, session: Session) -> None:
        by_table: dict[type[DeclarativeBase], list[dict[str, Any]]] = {}
        for (table, key), counts in sorted(self.rows.items(), key=lambda item: (item[0][0].__name__, item[0][1])):
            changed = {column: value for column, value in counts.items() if value}
            if changed:
                by_table.setdefault(table, []).append({**dict(zip(KEY_COLUMNS[table], key, strict=True)), **changed})
        for table, rows in by_table.items():
            _upsert(session, table, rows)
        self.rows.clear()


def _upsert(session: Session, table: type[DeclarativeBase], rows: list[dict[str, Any]]) -> None:
    """Add each row's counts to the stored ones (inserting the row when it is new)."""
    keys = KEY_COLUMNS[table]
    columns = sorted({column for row in rows for column in row} - set(keys))
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for start in range(0, len(rows), INSERT_ROWS):
        chunk = [{**dict.fromkeys(columns, 0), **row} for row in rows[start : start + INSERT_ROWS]]
        statement = insert(table).values(chunk)
        statement = statement.on_conflict_do_update(
            index_elements=list(keys),
            set_={column: getattr(table, column) + getattr(statement.excluded, column) for column in columns},
        )
        session.execute(statement)


def confidence_bucket(confidence: float) -> int:
    return min(int(confidence * 10), 9)


def turn_counts(turn: TurnFacts) -> list[tuple[Key, dict[str, int]]]:
    """What one turn adds to the daily counters."""
    traffic: dict[str, int] = {"turns": 1, turn.outcome: 1}
    found: list[tuple[Key, dict[str, int]]] = []
    if turn.vote is not None:
        traffic["votes_" + turn.vote] = 1
    if turn.response_ms is not None:
        traffic["response_ms_total"] = turn.response_ms
        traffic["responses"] = 1
    found.append(((DailyTraffic, (turn.day, turn.channel)), traffic))
    if turn.answered_topic is not None:
        topic: dict[str, int] = {}
        if turn.outcome in (outcomes.ANSWERED, outcomes.SELECTED):
            topic["answered"] = 1
        if turn.vote is not None:
            topic["votes_" + turn.vote] = 1
        if topic:
            found.append(((DailyTopic, (turn.day, turn.answered_topic)), topic))
    if turn.outcome == outcomes.PROPOSED and turn.proposed_topics:
        for topic_id in dict.fromkeys(turn.proposed_topics.split(",")):
            found.append(((DailyTopic, (turn.day, topic_id)), {"proposed": 1}))
    if turn.intent in outcomes.FAQ_INTENTS and turn.outcome != outcomes.OPERATOR and turn.topic_confidence is not None:
        found.append(((DailyConfidence, (turn.day, confidence_bucket(turn.topic_confidence))), {"turns": 1}))
    return found


def conversation_counts(conversation: MonitoredConversation) -> list[tuple[Key, dict[str, int]]]:
    """What one conversation adds, on the day it started (only once it has a user turn)."""
    if not conversation.turns:
        return []
    counts = {"conversations": 1}
    if conversation.escalated:
        counts["escalated_conversations"] = 1
    if conversation.has_ticket:
        counts["ticket_conversations"] = 1
    return [((DailyTraffic, (conversation.day, conversation.channel)), counts)]


def rebuild(session: Session, start: date, end: date) -> None:
    """Recompute the counters of these days from the stored turns and conversations.

    Only meaningful while the days' turns are all stored: purged or erased turns are
    gone from the tables but (rightly) not from the counters.
    """
    for table in (DailyTraffic, DailyTopic, DailyConfidence):
        session.execute(delete(table).where(table.day >= start, table.day <= end))
    deltas = Deltas()
    turns = select(*TURN_FACTS).where(MonitoredTurn.day >= start, MonitoredTurn.day <= end)
    for turn in session.execute(turns):
        deltas.add_all(turn_counts(turn))  # a Row has the attributes
    conversations = select(MonitoredConversation).where(
        MonitoredConversation.day >= start, MonitoredConversation.day <= end, MonitoredConversation.turns > 0
    )
    for conversation in session.scalars(conversations):
        deltas.add_all(conversation_counts(conversation))
    deltas.flush(session)
