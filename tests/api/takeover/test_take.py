"""Taking a conversation over: assignment, ownership, the user told, and only one operator at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from api import live
from api.operators.models import Operator
from api.takeover import service
from api.takeover.models import ConversationOwner, TicketMessage
from api.tickets import crud
from api.tickets.actors import SERVICE_ACTOR
from api.tickets.models import Ticket, TicketEvent
from api.tickets.states import TicketStatus
from tests.api.takeover.conftest import FakeRasa


def _ticket(session: Session, number: str) -> Ticket:
    session.expire_all()
    return session.scalars(select(Ticket).where(Ticket.number == number)).one()


def _owner(session: Session, conversation_id: str) -> ConversationOwner | None:
    session.expire_all()
    return session.get(ConversationOwner, conversation_id)


async def test_taking_assigns_the_ticket_and_silences_the_assistant(
    session: Session,
    make_ticket: Callable[..., dict[str, Any]],
    make_operator: Callable[..., Operator],
    rasa: FakeRasa,
    events: list[live.LiveEvent],
) -> None:
    number = make_ticket(conversation_id="web:AAAAAAAAAAAAAAAAAAAAAAAA")["number"]
    anna = make_operator("anna.rossi", "Anna")

    await service.take(session, number, anna)

    ticket = _ticket(session, number)
    assert ticket.status == "in_carico" and ticket.assignee == str(anna.id)
    assert ticket.first_response_at is not None and ticket.first_response_at >= ticket.created_at
    owner = _owner(session, "web:AAAAAAAAAAAAAAAAAAAAAAAA")
    assert owner is not None and owner.ticket_id == ticket.id and owner.operator_id == anna.id
    (event,) = session.scalars(select(TicketEvent).where(TicketEvent.to_status == "in_carico")).all()
    assert (event.actor_kind, event.actor_id, event.from_status) == ("operator", str(anna.id), "nuovo")
    # The user is told who joined, by display name, never by login.
    assert rasa.notices() == [
        "Ti risponde Anna dello Sportello Welfare: da adesso scrivi pure qui, ti legge una persona."
    ]
    assert rasa.said[0].sender_id == "web:AAAAAAAAAAAAAAAAAAAAAAAA"
    assert "anna.rossi" not in rasa.said[0].text
    assert [(m.who, m.text) for m in service.messages(session, number)] == [("system", rasa.notices()[0])]
    changed = [e for e in events if e.kind == "ticket_changed"]
    assert changed[-1].ticket == number and changed[-1].data["owner"] == "Anna"
    assert changed[-1].data["status"] == "in_carico"


async def test_a_second_operator_is_told_who_has_it(
    session: Session, make_ticket: Callable[..., dict[str, Any]], make_operator: Callable[..., Operator], rasa: FakeRasa
) -> None:
    number = make_ticket()["number"]
    anna, bruno = make_operator("anna.rossi", "Anna"), make_operator("bruno", "Bruno")
    await service.take(session, number, anna)

    with pytest.raises(service.AlreadyOwned) as refused:
        await service.take(session, number, bruno)

    assert refused.value.operator_display_name == "Anna"
    assert str(refused.value) == "Questa richiesta è già in carico a Anna."
    ticket = _ticket(session, number)
    assert ticket.assignee == str(anna.id)
    owner = _owner(session, "telegram:424242")
    assert owner is not None and owner.operator_id == anna.id
    assert len(rasa.notices()) == 1


async def test_taking_again_changes_nothing(
    session: Session, make_ticket: Callable[..., dict[str, Any]], make_operator: Callable[..., Operator], rasa: FakeRasa
) -> None:
    number = make_ticket()["number"]
    anna = make_operator()
    await service.take(session, number, anna)
    await service.take(session, number, anna)
    assert len(rasa.notices()) == 1
    assert len(session.scalars(select(TicketEvent).where(TicketEvent.to_status == "in_carico")).all()) == 1


async def test_two_operators_at_the_same_moment_one_wins(
    engine: Engine, make_ticket: Callable[..., dict[str, Any]], make_operator: Callable[..., Operator], rasa: FakeRasa
) -> None:
    number = make_ticket()["number"]
    operators = [make_operator(f"operatore{i}", f"Operatore {i}") for i in range(4)]

    async def attempt(operator: Operator) -> str:
        with Session(engine, expire_on_commit=False) as own_session:
            try:
                await service.take(own_session, number, operator)
            except service.AlreadyOwned as exc:
                return f"rifiutato: {exc.operator_display_name}"
            return "preso"

    results = await asyncio.gather(*(attempt(o) for o in operators))

    assert results.count("preso") == 1
    winner = operators[results.index("preso")]
    assert all(r == f"rifiutato: {winner.display_name}" for r in results if r != "preso")
    with Session(engine) as check:
        owner = check.get(ConversationOwner, "telegram:424242")
        assert owner is not None and owner.operator_id == winner.id
        assert check.scalars(select(Ticket.assignee)).one() == str(winner.id)
    assert len(rasa.notices()) == 1


async def test_a_closed_ticket_cannot_be_taken(
    session: Session, make_ticket: Callable[..., dict[str, Any]], make_operator: Callable[..., Operator], rasa: FakeRasa
) -> None:
    number = make_ticket()["number"]
    crud.change_status(session, number, TicketStatus.CHIUSO, actor=SERVICE_ACTOR)
    with pytest.raises(crud.InvalidTransition):
        await service.take(session, number, make_operator())
    assert _owner(session, "telegram:424242") is None
    assert rasa.said == []


async def test_a_reopened_ticket_can_be_taken_by_anyone(
    session: Session, make_ticket: Callable[..., dict[str, Any]], make_operator: Callable[..., Operator], rasa: FakeRasa
) -> None:
    number = make_ticket()["number"]
    anna, bruno = make_operator("anna.rossi", "Anna"), make_operator("bruno", "Bruno")
    await service.take(session, number, anna)
    crud.change_status(session, number, TicketStatus.RISOLTO, actor=service.operator_actor(anna))
    crud.change_status(session, number, TicketStatus.RIAPERTO, actor=SERVICE_ACTOR)

    await service.take(session, number, bruno)

    ticket = _ticket(session, number)
    assert ticket.status == "in_carico" and ticket.assignee == str(bruno.id)
    owner = _owner(session, "telegram:424242")
    assert owner is not None and owner.operator_id == bruno.id


async def test_a_ticket_handed_back_stays_with_its_operator(
    session: Session, make_ticket: Callable[..., dict[str, Any]], make_operator: Callable[..., Operator], rasa: FakeRasa
) -> None:
    number = make_ticket()["number"]
    anna, bruno = make_operator("anna.rossi", "Anna"), make_operator("bruno", "Bruno")
    await service.take(session, number, anna)
    await service.release(session, number, anna)

    with pytest.raises(service.AlreadyOwned, match="Anna"):
        await service.take(session, number, bruno)
    await service.take(session, number, anna)  # she may pick it up again
    owner = _owner(session, "telegram:424242")
    assert owner is not None and owner.operator_id == anna.id


async def test_a_rest_conversation_is_assigned_but_not_taken_over(
    session: Session, make_ticket: Callable[..., dict[str, Any]], make_operator: Callable[..., Operator], rasa: FakeRasa
) -> None:
    # A REST client cannot be reached once it has its reply: the operator uses the contacts.
    contact = {"name": "Ugo", "email": "u@x.it"}
    number = make_ticket(channel="rest", conversation_id="app-123", contact=contact)["number"]
    anna = make_operator()

    ticket = await service.take(session, number, anna)

    assert ticket.status == "in_carico" and ticket.assignee == str(anna.id)
    assert _owner(session, "app-123") is None
    assert rasa.said == []
    with pytest.raises(service.NotReachable):
        await service.send(session, number, anna, "Buongiorno")


async def test_an_unknown_ticket(session: Session, make_operator: Callable[..., Operator], rasa: FakeRasa) -> None:
    anna = make_operator()
    for number in ("SW-2026-999999", "non un numero"):
        with pytest.raises(service.TicketNotFound):
            await service.take(session, number, anna)
    assert service.messages(session, "SW-2026-999999") == []


async def test_the_user_not_being_told_does_not_undo_the_take(
    session: Session, make_ticket: Callable[..., dict[str, Any]], make_operator: Callable[..., Operator], rasa: FakeRasa
) -> None:
    rasa.down = True
    number = make_ticket()["number"]
    await service.take(session, number, make_operator())
    assert _owner(session, "telegram:424242") is not None
    # The notice is still in the ticket's messages: the operator sees what should have been said.
    assert [m.who for m in session.scalars(select(TicketMessage))] == ["system"]
