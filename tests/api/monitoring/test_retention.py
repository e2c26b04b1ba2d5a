"""Retention and erasure across the tracker store, the monitoring tables, votes and tickets:
what must go leaves no trace anywhere, what must stay stays, the audit says how much only."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Column, Engine, Float, Integer, MetaData, String, Table, Text, insert, inspect, select, text
from sqlalchemy.orm import Session

from api.models import Feedback
from api.monitoring.ingest import IngestResult
from api.monitoring.models import PrivacyAudit
from api.monitoring.pseudonyms import pseudonym
from api.monitoring.retention import NotFound, Periods, erase, purge
from api.monitoring.tracker import tracker_engine
from api.settings import Settings
from api.takeover.models import TicketMessage
from api.tickets import crud
from api.tickets.actors import SERVICE_ACTOR
from api.tickets.models import Ticket
from api.tickets.schemas import TicketCreate
from tests.api.monitoring.conftest import KEY
from tests.api.monitoring.rasa_events import Conversation
from tests.api.support import ticket_payload

NOW = datetime(2026, 12, 1, 3, 15, tzinfo=timezone.utc)
PERIODS = Periods(conversations=timedelta(days=180), tickets=timedelta(days=365))
EVENTS_PER_USER = len(Conversation("x").start().not_understood("?").events)

# Rasa's SQLTrackerStore table (rasa/core/tracker_store.py, SQLEvent), as Rasa creates it.
RASA_EVENTS = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)


@dataclass
class User:
    """One user's conversation with every store holding something of it."""

    sender: str
    days_ago: float
    question: str
    email: str
    ticket_status: str | None = "chiuso"
    number: str | None = None

    @property
    def at(self) -> datetime:
        return NOW - timedelta(days=self.days_ago)

    @property
    def traces(self) -> list[str]:
        """Strings that identify this user or what they said: none may survive their deletion."""
        found = [self.sender, pseudonym(KEY, self.sender), self.question, self.email]
        return found + ([self.number] if self.number else [])


@pytest.fixture
def tracker(settings: Settings, engine: Engine) -> Iterator[Engine]:
    """Rasa's tracker store: a SQLite file, or the test's PostgreSQL schema."""
    url = settings.tracker_url if engine.dialect.name == "sqlite" else str(engine.url.render_as_string(False))
    from api.db import create_db_engine

    made = create_db_engine(url)
    RASA_EVENTS.create(made, checkfirst=True)
    made.dispose()
    found = tracker_engine(url)
    assert found is not None
    yield found
    found.dispose()


@pytest.fixture
def seed(store: Callable[..., IngestResult], engine: Engine, tracker: Engine) -> Callable[[User], None]:
    def add(user: User) -> None:
        conversation = Conversation(user.sender, at=user.at).start().not_understood(user.question)
        store(conversation.events)
        with tracker.begin() as connection:
            for event in conversation.events:
                connection.execute(
                    insert(RASA_EVENTS).values(
                        sender_id=user.sender,
                        type_name=event["event"],
                        timestamp=event["timestamp"],
                        data=json.dumps(event),
                    )
                )
        with Session(engine) as session:
            session.add(
                Feedback(
                    conversation_id=user.sender,
                    channel="rest",
                    topic_id="buoni_pasto",
                    vote="down",
                    question=user.question,
                    created_at=user.at,
                )
            )
            session.commit()
            if user.ticket_status is None:
                return
            payload = ticket_payload(
                conversation_id=user.sender,
                contact={"name": "Utente", "email": user.email, "phone": None, "via_chat": False},
                description=f"Richiesta nel modulo di {user.sender}",
                transcript=[{"who": "user", "text": user.question, "at": user.at.isoformat()}],
            )
            ticket, _ = crud.create_ticket(
                session,
                TicketCreate.model_validate(payload),
                idempotency_key=user.sender,
                actor=SERVICE_ACTOR,
                now=user.at,
            )
            ticket.status = user.ticket_status
            ticket.updated_at = user.at
            session.add(TicketMessage(ticket_id=ticket.id, who="user", text=user.question, at=user.at))
            user.number = ticket.number
            session.commit()

    return add


def everything(*engines: Engine) -> str:
    """Every row of every table of these databases, as one string to search."""
    rows: list[Any] = []
    for engine in engines:
        with engine.connect() as connection:
            for table in inspect(connection).get_table_names():
                rows += [list(map(str, row)) for row in connection.execute(text(f'SELECT * FROM "{table}"'))]
    return json.dumps(rows, ensure_ascii=False)


def _users() -> dict[str, User]:
    return {
        "old": User("telegram:111", 200, "domanda vecchia sul nido aziendale", "vecchio@example.it"),
        "ancient": User("telegram:333", 400, "domanda antichissima sui buoni", "antico@example.it"),
        "open": User("web:aperto", 400, "richiesta ancora aperta sul welfare", "aperto@example.it", "in_carico"),
        "recent": User("web:recente", 10, "domanda recente sul premio", "recente@example.it"),
    }


def test_the_purge_removes_what_is_older_than_retention_everywhere(
    seed: Callable[[User], None], engine: Engine, tracker: Engine, session: Session
) -> None:
    users = _users()
    for user in users.values():
        seed(user)
    counts = purge(session, tracker, PERIODS, actor="cron", now=NOW)
    dump = everything(engine, tracker)
    for name in ("old", "ancient", "open"):
        assert users[name].question not in dump, name  # the messages: tracker, monitoring, votes, transcripts
    for trace in users["recent"].traces:
        assert trace in dump
    # Tickets keep their own retention: the resolved one of 400 days ago is gone whole, the
    # 200-day-old one keeps its contact and loses its transcript, the open one stays.
    tickets = {t.conversation_id: t for t in session.scalars(select(Ticket))}
    assert set(tickets) == {"telegram:111", "web:aperto", "web:recente"}
    assert tickets["telegram:111"].transcript == [] and users["old"].email in dump
    assert users["ancient"].email not in dump and users["ancient"].sender not in dump
    assert counts == {
        "tracker_events": 3 * EVENTS_PER_USER,
        "monitoring_turns": 3,
        "monitoring_conversations": 3,
        "feedback": 3,
        "ticket_messages": 3,
        "ticket_transcripts": 3,
        "tickets": 1,
    }
    cutoff = NOW - PERIODS.conversations
    with tracker.connect() as connection:
        assert connection.execute(select(RASA_EVENTS).where(RASA_EVENTS.c.timestamp < cutoff.timestamp())).all() == []
    (audit,) = session.scalars(select(PrivacyAudit))
    assert (audit.action, audit.actor, audit.cutoff, audit.counts) == ("purge", "cron", cutoff, counts)
    assert purge(session, tracker, PERIODS, actor="cron", now=NOW)["tracker_events"] == 0  # idempotent


@pytest.mark.parametrize("found_by", ["conversation", "ticket"])
def test_an_erasure_leaves_nothing_of_the_user_and_the_audit_no_personal_data(
    seed: Callable[[User], None], engine: Engine, tracker: Engine, session: Session, found_by: str
) -> None:
    target = User("telegram:222", 3, "mi chiamo in un modo unico, domanda sul welfare", "bersaglio@example.it")
    other = User("web:altro", 3, "domanda di un altro utente", "altro@example.it")
    seed(target)
    seed(other)
    assert target.number is not None
    counts = erase(
        session,
        tracker,
        key=KEY,
        actor="operatore:anna",
        conversation_id=target.sender if found_by == "conversation" else None,
        ticket_number=target.number.lower() if found_by == "ticket" else None,
        now=NOW,
    )
    dump = everything(engine, tracker)
    for trace in target.traces:
        assert trace not in dump
    for trace in other.traces:
        assert trace in dump
    assert counts == {
        "tracker_events": EVENTS_PER_USER,
        "monitoring_turns": 1,
        "monitoring_conversations": 1,
        "feedback": 1,
        "ticket_messages": 1,
        "tickets": 1,
    }
    (audit,) = session.scalars(select(PrivacyAudit))
    assert (audit.action, audit.found_by, audit.actor) == ("erasure", found_by, "operatore:anna")
    recorded = json.dumps([str(getattr(audit, c.key)) for c in PrivacyAudit.__table__.columns])
    assert not any(trace.lower() in recorded.lower() for trace in target.traces)


def test_an_unknown_ticket_number_erases_nothing(
    seed: Callable[[User], None], tracker: Engine, session: Session
) -> None:
    seed(User("web:x", 1, "una domanda", "x@example.it"))
    with pytest.raises(NotFound):
        erase(session, tracker, key=KEY, actor="anna", ticket_number="SW-2026-999999")
    assert session.scalars(select(PrivacyAudit)).all() == []


def test_a_tracker_store_that_does_not_exist_yet_is_skipped(settings: Settings, tmp_path: Any) -> None:
    assert tracker_engine(f"sqlite:///{tmp_path / 'mai-creato.db'}") is None
