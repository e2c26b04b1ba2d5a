"""The turn builder: Rasa events in, one row per user message with what became of it."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from api.monitoring import outcomes
from api.monitoring.aggregates import rebuild
from api.monitoring.ingest import IngestResult
from api.monitoring.models import (
    DailyConfidence,
    DailyIngest,
    DailyTopic,
    DailyTraffic,
    MonitoredConversation,
    MonitoredTurn,
)
from api.tickets import crud
from api.tickets.actors import SERVICE_ACTOR
from api.tickets.schemas import TicketCreate
from tests.api.monitoring.conftest import KEY
from tests.api.monitoring.rasa_events import START, Conversation
from tests.api.support import ticket_payload

Store = Callable[..., IngestResult]


def turns(session: Session) -> list[MonitoredTurn]:
    session.expire_all()
    return list(session.scalars(select(MonitoredTurn).order_by(MonitoredTurn.id)))


def full_conversation(sender: str = "rest-utente-1") -> Conversation:
    return (
        Conversation(sender)
        .start()
        .greeting()
        .answered("quanto valgono i buoni pasto nel 2026?", "buoni_pasto", 0.93)
        .proposed("welfare e benefit per la famiglia", ("welfare_familiari", "fringe_figli_carico"))
        .selected("welfare_familiari")
        .not_understood("il mio gatto mangia i buoni?")
        .out_of_scope("quando mi arriva la pensione?")
        .escalated()
    )


def test_each_turn_gets_what_the_assistant_did(store: Store, session: Session) -> None:
    result = store(full_conversation().events)
    assert result.turns == 8 and result.rejected == 0
    assert [t.outcome for t in turns(session)] == [
        outcomes.OTHER,  # ciao
        outcomes.ANSWERED,
        outcomes.PROPOSED,
        outcomes.SELECTED,
        outcomes.NOT_UNDERSTOOD,
        outcomes.OUT_OF_SCOPE,
        outcomes.ESCALATED,
        outcomes.OTHER,  # the form's answer
    ]


def test_a_turn_keeps_intent_topics_and_response_time(store: Store, session: Session) -> None:
    store(Conversation("rest-a").start().answered("buoni pasto 2026", "buoni_pasto", 0.8, second="mensa").events)
    (turn,) = turns(session)
    assert (turn.intent, turn.intent_confidence) == ("faq", 0.9)
    assert (turn.topic_id, turn.topic_confidence) == ("buoni_pasto", 0.8)
    assert (turn.runner_up_id, turn.runner_up_confidence) == ("mensa", 0.1)
    assert turn.answered_topic == "buoni_pasto"
    assert turn.response_ms == 400
    assert turn.channel == "rest" and turn.day == date(2026, 3, 2)


def test_proposals_are_recorded_in_order(store: Store, session: Session) -> None:
    store(Conversation("rest-a").start().proposed("famiglia", ("a_uno", "b_due", "c_tre")).events)
    assert turns(session)[0].proposed_topics == "a_uno,b_due,c_tre"


def test_a_vote_lands_on_the_last_answer(store: Store, session: Session) -> None:
    conversation = Conversation("rest-v").start().answered("buoni pasto", "buoni_pasto").vote(up=False)
    store(conversation.answered("fringe 2026", "fringe_soglie_2026").vote(up=True).events)
    answers = [t for t in turns(session) if t.answered_topic]
    assert [(t.answered_topic, t.vote) for t in answers] == [("buoni_pasto", "down"), ("fringe_soglie_2026", "up")]


def test_a_vote_the_action_did_not_record_counts_nothing(store: Store, session: Session) -> None:
    # A second click on the same answer: the action says there is nothing to vote on.
    conversation = Conversation("rest-v").start().answered("buoni pasto", "buoni_pasto").vote(up=True)
    store(conversation.vote_without_answer().events)
    assert [t.vote for t in turns(session) if t.answered_topic] == ["up"]


def test_turns_answered_by_an_operator_are_tagged_and_never_failures(store: Store, session: Session) -> None:
    conversation = Conversation("web:abc").start().escalated()
    store(conversation.owned("il mio caso è urgente").owned("mi richiami?").events)
    owned = turns(session)[-2:]
    assert [t.outcome for t in owned] == [outcomes.OPERATOR, outcomes.OPERATOR]
    assert all(t.review is None for t in owned)


def test_messages_are_stored_redacted(store: Store, session: Session) -> None:
    message = (
        "Sono Mario Rossi, cf RSSMRA85T10A562S, iban IT60 X054 2811 1010 0000 0123 456, "
        "scrivete a mario.rossi@example.it o al 347 123 4567, la ditta ha p.iva 00743110157. "
        "Ho il diabete: posso usare il welfare per le visite?"
    )
    store(Conversation("rest-p").start().not_understood(message).events)
    (turn,) = turns(session)
    assert turn.text is not None
    for secret in (
        "Mario Rossi",
        "RSSMRA85T10A562S",
        "IT60",
        "mario.rossi@example.it",
        "347 123 4567",
        "00743110157",
        "diabete",
    ):
        assert secret not in turn.text
    for placeholder in ("[nome rimosso]", "[codice fiscale rimosso]", "[IBAN rimosso]", "[email rimossa]"):
        assert placeholder in turn.text
    assert "[telefono rimosso]" in turn.text and "[partita IVA rimossa]" in turn.text
    assert "[dati sulla salute rimossi]" in turn.text


def test_a_button_payload_is_not_kept_as_text(store: Store, session: Session) -> None:
    store(Conversation("rest-b").start().proposed("famiglia", ("a_uno",)).selected("a_uno").events)
    assert [t.text for t in turns(session)] == ["famiglia", None]


def test_no_conversation_id_is_stored_only_its_keyed_hash(store: Store, session: Session, engine: Engine) -> None:
    sender = "telegram:4242424242"
    store(full_conversation(sender).events)
    (conversation,) = session.scalars(select(MonitoredConversation))
    assert conversation.pseudonym == hmac.new(KEY.encode(), sender.encode(), hashlib.sha256).hexdigest()
    assert conversation.channel == "telegram"
    with engine.connect() as connection:
        for table in ("monitoring_conversations", "monitoring_turns"):
            rows = connection.execute(text(f"SELECT * FROM {table}")).all()
            assert rows and "4242424242" not in json.dumps([list(map(str, row)) for row in rows])


def test_a_new_session_is_a_new_conversation(store: Store, session: Session) -> None:
    conversation = Conversation("rest-s").start().answered("buoni pasto", "buoni_pasto")
    store(conversation.start(seconds=4000).answered("fringe", "fringe_cosa").events)
    found = list(session.scalars(select(MonitoredConversation).order_by(MonitoredConversation.id)))
    assert [c.turns for c in found] == [1, 1]


def _snapshot(session: Session) -> dict[str, Any]:
    session.expire_all()
    return {
        "turns": [
            (t.outcome, t.vote, t.response_ms, t.answered_topic, t.proposed_topics, t.review, t.review_reasons)
            for t in turns(session)
        ],
        "conversations": [
            (c.turns, c.escalated, c.has_ticket)
            for c in session.scalars(select(MonitoredConversation).order_by(MonitoredConversation.id))
        ],
        "traffic": sorted(
            tuple(getattr(row, c.key) for c in DailyTraffic.__table__.columns)
            for row in session.scalars(select(DailyTraffic))
        ),
        "topics": sorted(
            (row.day, row.topic_id, row.answered, row.proposed, row.votes_up, row.votes_down)
            for row in session.scalars(select(DailyTopic))
        ),
        "confidence": sorted((row.day, row.bucket, row.turns) for row in session.scalars(select(DailyConfidence))),
    }


def _events() -> list[dict[str, Any]]:
    conversation = full_conversation("rest-x")
    conversation.answered("buoni pasto", "buoni_pasto", 0.55).vote(up=False)
    conversation.proposed("famiglia", ("welfare_familiari", "fringe_cosa")).user("altro", intent="faq_none")
    return conversation.action("action_faq_none").bot().listen().events


def test_batches_of_any_size_give_the_same_rows_and_counters(store: Store, session: Session, engine: Engine) -> None:
    events = _events()
    store(events)
    whole = _snapshot(session)
    with engine.begin() as connection:
        for table in ("monitoring_turns", "monitoring_conversations", "monitoring_daily", "monitoring_daily_topics"):
            connection.execute(text(f"DELETE FROM {table}"))
        connection.execute(text("DELETE FROM monitoring_daily_confidence"))
    for event in events:  # one event per batch: every turn is settled by a later batch
        store([event])
    assert _snapshot(session) == whole


def test_a_batch_delivered_twice_changes_nothing(store: Store, session: Session) -> None:
    events = _events()
    store(events)
    once = _snapshot(session)
    again = store(events)
    assert again.turns == 0
    store(events[len(events) // 2 :])
    assert _snapshot(session) == once


def test_a_message_twice_in_one_batch_is_one_turn(store: Store, session: Session) -> None:
    events = Conversation("rest-d").start().answered("buoni pasto", "buoni_pasto").events
    assert store(events + events).turns == 1
    assert len(turns(session)) == 1


def test_the_counters_kept_on_ingest_are_those_rebuilt_from_the_rows(store: Store, session: Session) -> None:
    store(_events())
    store(full_conversation("telegram:1").events)
    store(Conversation("web:zz").start().owned("ciao operatore").events)
    kept = _snapshot(session)
    rebuild(session, date(2026, 3, 1), date(2026, 3, 3))
    session.commit()
    assert _snapshot(session) == kept


def test_what_goes_to_review_and_why(store: Store, session: Session) -> None:
    conversation = Conversation("rest-r").start()
    conversation.answered("buoni pasto 2026", "buoni_pasto", 0.95)  # sure: no review
    conversation.answered("mensa aziendale", "mensa", 0.52)  # low confidence
    conversation.not_understood("posso pagare il veterinario?")
    conversation.answered("fringe", "fringe_cosa", 0.9).vote(up=False)  # 👎
    conversation.proposed("premi", ("pdr_cosa", "pdr_welfare")).user("altro", intent="faq_none")
    conversation.action("action_faq_none").bot().listen()
    conversation.answered("bonus asilo nido", "asilo_nido", 0.91).escalated(ticket=None)
    store(conversation.events)
    reviewed = {t.text: (t.review, t.review_reasons) for t in turns(session) if t.text}
    assert reviewed["buoni pasto 2026"] == (None, None)
    assert reviewed["mensa aziendale"] == (outcomes.PENDING, outcomes.REASON_LOW_CONFIDENCE)
    assert reviewed["posso pagare il veterinario?"] == (outcomes.PENDING, outcomes.REASON_NOT_UNDERSTOOD)
    assert reviewed["fringe"] == (outcomes.PENDING, outcomes.REASON_DOWN_VOTE)
    assert reviewed["premi"] == (outcomes.PENDING, outcomes.REASON_NONE_FITS)
    assert reviewed["bonus asilo nido"] == (outcomes.PENDING, outcomes.REASON_ESCALATED)
    assert reviewed["voglio parlare con un operatore"] == (None, None)


def test_a_provisional_not_understood_leaves_review_once_answered(store: Store, session: Session) -> None:
    conversation = Conversation("rest-q").start().answered("buoni pasto", "buoni_pasto", 0.9)
    user_only = [e for e in conversation.events if e["event"] != "slot"]
    store(user_only[:4])  # the user's message alone: not understood, for now
    assert turns(session)[0].review == outcomes.PENDING
    store(conversation.events[4:])
    (turn,) = turns(session)
    assert (turn.outcome, turn.review) == (outcomes.ANSWERED, None)


def test_escalation_and_ticket_mark_the_conversation(store: Store, session: Session) -> None:
    store(Conversation("rest-t").start().answered("buoni pasto", "buoni_pasto").escalated().events)
    (conversation,) = session.scalars(select(MonitoredConversation))
    assert conversation.escalated and conversation.has_ticket


def test_a_ticket_opened_later_by_the_outbox_is_found_in_the_ticket_store(
    store: Store, session: Session, engine: Engine
) -> None:
    sender = "telegram:424242"  # the conversation of tests.api.support.ticket_payload
    store(Conversation(sender).start().escalated(ticket=None).events)
    assert not session.scalars(select(MonitoredConversation)).one().has_ticket
    with Session(engine) as tickets:
        crud.create_ticket(
            tickets, TicketCreate.model_validate(ticket_payload()), idempotency_key="k", actor=SERVICE_ACTOR, now=START
        )
    store(Conversation(sender, at=START).user("grazie", intent="thanks").events)
    session.expire_all()
    assert session.scalars(select(MonitoredConversation)).one().has_ticket


def test_malformed_events_are_refused_one_by_one(store: Store, session: Session) -> None:
    good = Conversation("rest-m").start().not_understood("boh").events
    bad: list[Any] = [
        "non un oggetto",
        {"event": "user"},
        {"event": "user", "sender_id": "x", "timestamp": "ieri"},
        {"event": "user", "sender_id": "x", "timestamp": 1e300},
        {"event": "user", "sender_id": "", "timestamp": 1.8e9},
        {"event": "user", "sender_id": "x", "timestamp": 1.8e9, "text": 42},
        {"event": "slot", "sender_id": "x", "timestamp": 1.8e9},
        {"event": 7},
    ]
    result = store([*bad, *good], dropped=3)
    assert result.rejected == len(bad) and result.turns == 1
    (ingest_row,) = session.scalars(select(DailyIngest))
    assert (ingest_row.rejected, ingest_row.dropped) == (len(bad), 3)


def test_events_of_a_conversation_monitoring_never_saw_start_are_ignored(store: Store, session: Session) -> None:
    events = [e for e in Conversation("rest-late").answered("x", "y").events if e["event"] != "user"]
    assert store(events).turns == 0
    assert turns(session) == []
