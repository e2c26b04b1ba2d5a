"""Monitoring data whose every figure is known, for the console's dashboard and review tests
(the same conversations as tests/api/monitoring/test_metrics.py, plus messages to review)."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.monitoring.ingest import ingest
from api.tickets import crud
from api.tickets.actors import SERVICE_ACTOR
from api.tickets.models import Ticket
from api.tickets.schemas import TicketCreate
from sportello.identity import channel_of
from tests.api.monitoring.rasa_events import START, Conversation
from tests.api.support import ticket_payload

DAY1, DAY2 = date(2026, 3, 2), date(2026, 3, 3)
PERIOD = {"dal": DAY1.isoformat(), "al": DAY2.isoformat()}
LOW_CONFIDENCE = 0.6
DROPPED = 7
# Messages the assistant did not understand: two groups for the review inbox.
VET = [
    "posso pagare il veterinario col welfare?",
    "Posso pagare il veterinario con il welfare",
    "veterinario e welfare",
]
MONOPATTINO = ["monopattino elettrico pagato col welfare?", "posso pagare il monopattino elettrico col welfare"]


def conversations(with_review: bool = False) -> list[Conversation]:
    a = Conversation("rest-a").start()
    a.answered("buoni pasto 2026", "buoni_pasto", 0.93).vote(up=True)
    a.answered("cosa sono i fringe", "fringe_cosa", 0.55).vote(up=False)
    b = Conversation("telegram:1").start()
    b.proposed("welfare per la famiglia", ("welfare_familiari", "fringe_figli_carico")).selected("welfare_familiari")
    b.not_understood("il mio gatto")
    c = Conversation("web:c").start().out_of_scope("la mia pensione").escalated()
    d = Conversation("rest-d", at=START + timedelta(days=1)).start()
    d.answered("buoni pasto", "buoni_pasto", 0.75).owned("e allora?")
    found = [a, b, c, d]
    if with_review:
        e = Conversation("rest-review", at=START + timedelta(hours=2)).start()
        for text in VET + MONOPATTINO:
            e.not_understood(text)
        found.append(e)
    return found


def _payload(conversation_id: str) -> dict[str, object]:
    """An escalation of this conversation, with the contact its channel allows."""
    channel = channel_of(conversation_id)
    if channel == "rest":
        contact = {"name": "Utente", "email": "utente@example.it", "phone": None, "via_chat": False}
        return ticket_payload(conversation_id=conversation_id, channel=channel, contact=contact)
    return ticket_payload(conversation_id=conversation_id, channel=channel)


def _ticket(
    engine: Engine,
    key: str,
    created: datetime,
    first_reply_min: float | None,
    resolved_h: float | None,
    conversation_id: str = "telegram:424242",
) -> None:
    with Session(engine) as session:
        ticket, _ = crud.create_ticket(
            session,
            TicketCreate.model_validate(_payload(conversation_id)),
            idempotency_key=key,
            actor=SERVICE_ACTOR,
            now=created,
        )
        stored = session.get(Ticket, ticket.id)
        assert stored is not None
        if first_reply_min is not None:
            stored.first_response_at = created + timedelta(minutes=first_reply_min)
        if resolved_h is not None:
            stored.resolved_at = created + timedelta(hours=resolved_h)
        session.commit()


def seed(engine: Engine, key: str, *, with_review: bool = False) -> None:
    """The conversations, 7 events the Rasa server dropped on the first day, three tickets
    (two in the period: first replies after 30 and 90 minutes, one resolved in 2 hours)."""
    for n, conversation in enumerate(conversations(with_review)):
        with Session(engine) as session:
            ingest(
                session,
                conversation.events,
                key=key,
                low_confidence=LOW_CONFIDENCE,
                dropped=DROPPED if n == 0 else 0,
                now=START,
            )
    seed_tickets(engine)


def seed_tickets(engine: Engine) -> None:
    """Three tickets: two in the period (first replies after 30 and 90 minutes, one
    resolved in 2 hours) and one before it."""
    _ticket(engine, "t1", START + timedelta(hours=1), 30, 2)
    _ticket(engine, "t2", START + timedelta(days=1), 90, None)
    _ticket(engine, "t3", datetime(2026, 2, 1, tzinfo=timezone.utc), 5, 1)  # before the period


# A fortnight of varied traffic, for the browser test's dashboard and its screenshot.
FORTNIGHT = {"dal": DAY1.isoformat(), "al": (DAY1 + timedelta(days=13)).isoformat()}
_TOPICS = (
    "buoni_pasto",
    "fringe_soglie_2026",
    "pdr_tassazione_2026",
    "welfare_cose",
    "trasporto_pubblico",
    "babysitting",
    "previdenza_complementare",
    "pdr_conversione_welfare",
)
_UNKNOWN = (
    "posso pagare il veterinario col welfare?",
    "Posso pagare il veterinario con il welfare",
    "il monopattino elettrico rientra nel welfare?",
    "monopattino elettrico pagato col welfare",
    "quanto prende un commercialista per il piano welfare",
)
_OUT_OF_SCOPE = ("quando arriva la pensione di mia madre", "che tempo fa domani a Torino")
_SENDERS = ("web:{n}", "web:{n}", "telegram:{n}", "rest-{n}")


def seed_fortnight(engine: Engine, key: str) -> list[str]:
    """Fourteen days of conversations (deterministic); their ids."""
    rng = random.Random(2026)
    senders: list[str] = []
    for day in range(14):
        for n in range(rng.randint(4, 11)):
            sender = rng.choice(_SENDERS).format(n=f"{day}{n:02d}")
            conversation = Conversation(sender, at=START + timedelta(days=day, minutes=23 * n)).start()
            for _ in range(rng.randint(1, 3)):
                roll, topic = rng.random(), rng.choice(_TOPICS)
                if roll < 0.55:
                    confidence = round(rng.uniform(0.6, 0.99), 2)
                    conversation.answered(f"una domanda su {topic.replace('_', ' ')}", topic, confidence)
                    if rng.random() < 0.4:
                        conversation.vote(up=rng.random() < 0.7)
                elif roll < 0.7:
                    conversation.proposed("una domanda vaga sul welfare", (topic, rng.choice(_TOPICS)))
                elif roll < 0.9:
                    conversation.not_understood(rng.choice(_UNKNOWN))
                else:
                    conversation.out_of_scope(rng.choice(_OUT_OF_SCOPE))
            if rng.random() < 0.12:
                # A person was asked for: the ticket exists before its events arrive, as live.
                reply, resolved = rng.choice(((12, 3), (35, 20), (80, None), (20, 6)))
                _ticket(engine, sender, conversation.at, reply, resolved, conversation_id=sender)
                conversation.escalated()
            with Session(engine) as session:
                ingest(session, conversation.events, key=key, low_confidence=LOW_CONFIDENCE, now=START)
            senders.append(sender)
    return senders
