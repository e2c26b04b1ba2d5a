"""Retention and erasure of conversation data: `python -m api.monitoring.retention`.

    purge                            what is older than the retention periods (`make purge`)
    erase --conversation ID          everything of one user, by conversation id
    erase --ticket SW-2026-000123    the same, found through one of their tickets

Conversation data lives in four places: Rasa's tracker store (every event), the
monitoring tables (redacted messages), the votes' questions and the tickets (transcript,
live messages since the escalation, contact). A purge removes what is older than
SPORTELLO_RETENTION_DAYS from the first three and empties the transcripts of tickets
not updated since; whole tickets, resolved or closed, go after
SPORTELLO_TICKET_RETENTION_DAYS. An erasure removes one user's rows everywhere,
tickets included. Each run leaves a `privacy_audit` row with how many rows went, and
nothing about whose. The daily counters stay: they are counts, not anyone's data.

Schedule the purge once a day (cron `15 3 * * * cd /srv/sportello && make purge`, or a
systemd timer): it is idempotent and works in chunks.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from typing import cast as typing_cast

from sqlalchemy import CursorResult, Engine, Executable, String, cast, delete, func, select, update
from sqlalchemy.orm import Session

from api.db import create_db_engine, upgrade_database
from api.models import Feedback
from api.monitoring import tracker
from api.monitoring.models import MonitoredConversation, MonitoredTurn, PrivacyAudit
from api.monitoring.pseudonyms import pseudonym
from api.settings import Settings, get_settings
from api.takeover.models import ConversationOwner, TicketMessage
from api.tickets.models import Ticket
from api.tickets.numbering import canonical_number
from api.tickets.states import RESOLVING

CHUNK = 5000


def _run(session: Session, statement: Executable) -> int:
    """Execute a DELETE or UPDATE; how many rows it touched."""
    return typing_cast(CursorResult[Any], session.execute(statement)).rowcount


class NotFound(LookupError):
    pass


@dataclass(frozen=True)
class Periods:
    conversations: timedelta
    tickets: timedelta

    @classmethod
    def of(cls, settings: Settings) -> Periods:
        return cls(timedelta(days=settings.retention_days), timedelta(days=settings.ticket_retention_days))


def _chunked_delete(session: Session, model: Any, *conditions: Any) -> int:
    """DELETE in chunks of ids: a long purge never holds one huge lock."""
    removed = 0
    while True:
        ids = list(session.scalars(select(model.id).where(*conditions).limit(CHUNK)))
        if not ids:
            return removed
        removed += _run(session, delete(model).where(model.id.in_(ids)))
        session.commit()


def purge(
    session: Session, tracker_store: Engine | None, periods: Periods, *, actor: str, now: datetime | None = None
) -> dict[str, int]:
    """Remove conversation data older than the retention periods; the counts per store."""
    now = now or datetime.now(timezone.utc)
    cutoff, ticket_cutoff = now - periods.conversations, now - periods.tickets
    counts = {"tracker_events": tracker.purge_before(tracker_store, cutoff) if tracker_store is not None else 0}
    counts["monitoring_turns"] = _chunked_delete(session, MonitoredTurn, MonitoredTurn.at < cutoff)
    counts["monitoring_conversations"] = _chunked_delete(
        session, MonitoredConversation, MonitoredConversation.last_event_at < cutoff
    )
    counts["feedback"] = _chunked_delete(session, Feedback, Feedback.created_at < cutoff)
    counts["ticket_messages"] = _chunked_delete(session, TicketMessage, TicketMessage.at < cutoff)
    emptied = _run(
        session,
        update(Ticket)
        .where(Ticket.updated_at < cutoff, cast(Ticket.transcript, String) != "[]")
        .values(transcript=[], slots={}),
    )
    counts["ticket_transcripts"] = emptied
    counts["tickets"] = _chunked_delete(
        session,
        Ticket,
        Ticket.updated_at < ticket_cutoff,
        Ticket.status.in_([status.value for status in RESOLVING]),
    )
    session.add(
        PrivacyAudit(
            action="purge", actor=actor[:64], cutoff=cutoff, ticket_cutoff=ticket_cutoff, counts=counts, at=now
        )
    )
    session.commit()
    return counts


def erase(
    session: Session,
    tracker_store: Engine | None,
    *,
    key: str,
    actor: str,
    conversation_id: str | None = None,
    ticket_number: str | None = None,
    now: datetime | None = None,
) -> dict[str, int]:
    """Remove every row of one user's conversation, found by its id or by a ticket's number."""
    if (conversation_id is None) == (ticket_number is None):
        raise ValueError("indica l'id della conversazione oppure il numero di un ticket")
    found_by = "conversation"
    if ticket_number is not None:
        found_by = "ticket"
        number = canonical_number(ticket_number.strip())
        ticket = session.scalars(select(Ticket).where(Ticket.number == number)).first() if number else None
        if ticket is None:
            raise NotFound(f"Non trovo il ticket «{ticket_number}».")
        conversation_id = ticket.conversation_id
    assert conversation_id is not None
    counts = {
        "tracker_events": (
            tracker.erase_conversation(tracker_store, conversation_id) if tracker_store is not None else 0
        )
    }
    conversations = select(MonitoredConversation.id).where(
        MonitoredConversation.pseudonym == pseudonym(key, conversation_id)
    )
    counts["monitoring_turns"] = _run(
        session, delete(MonitoredTurn).where(MonitoredTurn.conversation_id.in_(conversations.scalar_subquery()))
    )
    counts["monitoring_conversations"] = _run(
        session, delete(MonitoredConversation).where(MonitoredConversation.pseudonym == pseudonym(key, conversation_id))
    )
    counts["feedback"] = _run(session, delete(Feedback).where(Feedback.conversation_id == conversation_id))
    tickets = select(Ticket.id).where(Ticket.conversation_id == conversation_id).scalar_subquery()
    counts["ticket_messages"] = _run(session, delete(TicketMessage).where(TicketMessage.ticket_id.in_(tickets)))
    session.execute(delete(ConversationOwner).where(ConversationOwner.conversation_id == conversation_id))
    # The audit trail, notes and live messages go with their ticket (ON DELETE CASCADE).
    counts["tickets"] = _run(session, delete(Ticket).where(Ticket.conversation_id == conversation_id))
    session.add(
        PrivacyAudit(
            action="erasure", actor=actor[:64], found_by=found_by, counts=counts, at=now or datetime.now(timezone.utc)
        )
    )
    session.commit()
    return counts


def audit_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(PrivacyAudit)) or 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.monitoring.retention", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("purge", help="cancella i dati più vecchi dei periodi di conservazione")
    erase_cmd = commands.add_parser("erase", help="cancella tutti i dati di un utente")
    which = erase_cmd.add_mutually_exclusive_group(required=True)
    which.add_argument("--conversation", help="id della conversazione, es. telegram:123456 o web:…")
    which.add_argument("--ticket", help="numero di un suo ticket, es. SW-2026-000123")
    for command in commands.choices.values():
        command.add_argument("--by", default=getpass.getuser(), help="chi esegue (per il registro)")
    args = parser.parse_args(argv)

    settings = get_settings()
    engine = create_db_engine(settings.database_url)
    tracker_store = tracker.tracker_engine(settings.tracker_url)
    try:
        upgrade_database(engine)
        with Session(engine) as session:
            if args.command == "purge":
                counts = purge(session, tracker_store, Periods.of(settings), actor=args.by)
                print(
                    f"Conservazione: conversazioni {settings.retention_days} giorni, "
                    f"ticket chiusi {settings.ticket_retention_days} giorni."
                )
            else:
                counts = erase(
                    session,
                    tracker_store,
                    key=settings.monitoring_key.get_secret_value(),
                    actor=args.by,
                    conversation_id=args.conversation,
                    ticket_number=args.ticket,
                )
        for store, count in counts.items():
            print(f"  {store}: {count} righe cancellate")
        return 0
    except NotFound as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        engine.dispose()
        if tracker_store is not None:
            tracker_store.dispose()


if __name__ == "__main__":
    sys.exit(main())
