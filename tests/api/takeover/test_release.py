"""Handing back: by the operator, by closing the ticket, or by any status change that resolves it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api import live
from api.operators.models import Operator, Role
from api.takeover import notices, service
from api.takeover.models import ConversationOwner
from api.tickets import crud
from api.tickets.models import Ticket, TicketEvent
from api.tickets.states import TicketStatus
from tests.api.support import AUTH
from tests.api.takeover.conftest import FakeRasa

HANDED_BACK = (
    "Ora ti risponde di nuovo l'assistente virtuale: Anna ha lasciato la conversazione. "
    "Se hai altre domande sul welfare aziendale, scrivile pure qui."
)


def _owned(session: Session) -> bool:
    session.expire_all()
    return session.scalars(select(ConversationOwner)).first() is not None


def _ticket(session: Session, number: str) -> Ticket:
    session.expire_all()
    return session.scalars(select(Ticket).where(Ticket.number == number)).one()


@pytest.fixture
async def taken(
    session: Session, make_ticket: Callable[..., dict[str, Any]], make_operator: Callable[..., Operator], rasa: FakeRasa
) -> tuple[str, Operator]:
    number = make_ticket()["number"]
    anna = make_operator("anna.rossi", "Anna")
    await service.take(session, number, anna)
    return number, anna


async def test_handing_back_tells_the_user_and_the_assistant_answers_again(
    session: Session, taken: tuple[str, Operator], rasa: FakeRasa, events: list[live.LiveEvent]
) -> None:
    number, anna = taken
    ticket = await service.release(session, number, anna)

    assert not _owned(session)
    assert rasa.notices()[-1] == HANDED_BACK and rasa.said[-1].sender_id == "telegram:424242"
    # Handing back is not solving: the ticket stays open, with its operator.
    assert ticket.status == "in_carico" and ticket.assignee == str(anna.id)
    assert [m.text for m in service.messages(session, number)][-1] == HANDED_BACK
    assert events[-1].kind == "ticket_changed" and events[-1].data["owner"] is None


async def test_only_the_owner_or_an_administrator_hands_back(
    session: Session, taken: tuple[str, Operator], make_operator: Callable[..., Operator], rasa: FakeRasa
) -> None:
    number, _ = taken
    with pytest.raises(service.NotOwner, match="in carico a Anna"):
        await service.release(session, number, make_operator("bruno", "Bruno"))
    assert _owned(session)
    await service.release(session, number, make_operator("capo", "Carla", Role.AMMINISTRATORE))
    assert not _owned(session)
    assert rasa.notices()[-1] == HANDED_BACK  # the user hears the name of who had it


async def test_nothing_to_hand_back(session: Session, taken: tuple[str, Operator], rasa: FakeRasa) -> None:
    number, anna = taken
    await service.release(session, number, anna)
    with pytest.raises(service.NotOwner, match="risponde già l'assistente"):
        await service.release(session, number, anna)
    assert len(rasa.notices()) == 2  # joined, handed back: nothing more


async def test_closing_hands_back_and_records_the_resolution_time(
    session: Session, taken: tuple[str, Operator], rasa: FakeRasa
) -> None:
    number, anna = taken
    ticket = await service.release(session, number, anna, closing=True)
    await notices.drain()

    assert ticket.status == "chiuso" and ticket.resolved_at is not None
    assert ticket.first_response_at is not None and ticket.first_response_at <= ticket.resolved_at
    assert not _owned(session)
    assert rasa.notices()[-1] == (
        f"La tua richiesta **{number}** è stata chiusa. Ora ti risponde di nuovo l'assistente virtuale: "
        "se ti serve ancora una persona dello Sportello, chiedimelo pure."
    )
    closing = session.scalars(select(TicketEvent).where(TicketEvent.to_status == "chiuso")).one()
    assert (closing.actor_kind, closing.actor_id) == ("operator", str(anna.id))


async def test_resolving_from_the_ticket_store_hands_back_too(
    session: Session, taken: tuple[str, Operator], client: TestClient, rasa: FakeRasa, events: list[live.LiveEvent]
) -> None:
    number, _ = taken
    response = client.post(f"/api/v1/tickets/{number}/status", json={"status": "risolto"}, headers=AUTH)
    assert response.status_code == 200, response.text
    await notices.drain()

    assert not _owned(session)
    assert "è stata risolta" in rasa.notices()[-1]
    assert events[-1].kind == "ticket_changed" and events[-1].data["status"] == "risolto"


async def test_a_status_change_that_does_not_resolve_keeps_the_operator(
    session: Session, taken: tuple[str, Operator], rasa: FakeRasa
) -> None:
    number, anna = taken
    crud.change_status(session, number, TicketStatus.IN_ATTESA_UTENTE, actor=service.operator_actor(anna))
    await notices.drain()
    assert _owned(session)
    assert len(rasa.notices()) == 1


async def test_closing_an_unowned_ticket_tells_nobody(
    session: Session, make_ticket: Callable[..., dict[str, Any]], make_operator: Callable[..., Operator], rasa: FakeRasa
) -> None:
    number = make_ticket()["number"]
    await service.release(session, number, make_operator(), closing=True)
    await notices.drain()
    assert _ticket(session, number).status == "chiuso"
    assert rasa.said == []


async def test_closing_a_closed_ticket_is_refused(session: Session, taken: tuple[str, Operator]) -> None:
    number, anna = taken
    await service.release(session, number, anna, closing=True)
    with pytest.raises(crud.InvalidTransition):
        await service.release(session, number, anna, closing=True)
    with pytest.raises(service.TicketNotFound):
        await service.release(session, "SW-2026-999999", anna, closing=True)
