"""The live conversation: the operator's replies, the user's messages, the suggested answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api import live
from api.operators.models import Operator
from api.takeover import service
from api.takeover.models import TicketMessage
from tests.api.support import AUTH, error_detail
from tests.api.takeover.conftest import FakeRasa

CONVERSATION = "telegram:424242"


@pytest.fixture
async def taken(
    session: Session, make_ticket: Callable[..., dict[str, Any]], make_operator: Callable[..., Operator], rasa: FakeRasa
) -> tuple[str, Operator]:
    number = make_ticket()["number"]
    anna = make_operator("anna.rossi", "Anna")
    await service.take(session, number, anna)
    return number, anna


def _user_says(client: TestClient, text: str, **extra: Any) -> Any:
    return client.post(f"/api/v1/conversations/{CONVERSATION}/messages", json={"text": text, **extra}, headers=AUTH)


async def test_the_owner_answers_and_the_reply_is_recorded_with_its_topic(
    session: Session, taken: tuple[str, Operator], rasa: FakeRasa, events: list[live.LiveEvent]
) -> None:
    number, anna = taken
    message = await service.send(session, number, anna, "  Ciao, i buoni pasto valgono 8 euro.  ", "buoni_pasto")

    assert rasa.messages() == ["Ciao, i buoni pasto valgono 8 euro."]
    assert rasa.said[-1].operator_name == "Anna" and rasa.said[-1].sender_id == CONVERSATION
    stored = session.get(TicketMessage, message.id)
    assert stored is not None
    assert (stored.who, stored.text, stored.operator_id, stored.source_topic) == (
        "operator",
        "Ciao, i buoni pasto valgono 8 euro.",
        anna.id,
        "buoni_pasto",
    )
    assert events[-1].kind == "operator_message" and events[-1].ticket == number
    assert events[-1].data["operator"] == "Anna" and events[-1].data["source_topic"] == "buoni_pasto"


async def test_only_the_owner_writes(
    session: Session, taken: tuple[str, Operator], make_operator: Callable[..., Operator], rasa: FakeRasa
) -> None:
    number, anna = taken
    with pytest.raises(service.NotOwner):
        await service.send(session, number, make_operator("bruno", "Bruno"), "Sono Bruno")
    await service.release(session, number, anna)
    with pytest.raises(service.NotOwner):
        await service.send(session, number, anna, "Ancora io")
    assert rasa.messages() == []


@pytest.mark.parametrize("text", ["", "   ", "x" * 4001])
async def test_an_empty_or_huge_reply_is_refused(
    session: Session, taken: tuple[str, Operator], rasa: FakeRasa, text: str
) -> None:
    number, anna = taken
    with pytest.raises(service.InvalidMessage):
        await service.send(session, number, anna, text)
    assert rasa.messages() == []


async def test_a_reply_that_cannot_be_delivered_is_not_recorded(
    session: Session, taken: tuple[str, Operator], rasa: FakeRasa
) -> None:
    number, anna = taken
    rasa.down = True
    with pytest.raises(service.DeliveryFailed):
        await service.send(session, number, anna, "Mi senti?")
    assert [m.who for m in service.messages(session, number)] == ["system"]


async def test_the_users_messages_reach_the_console_while_owned(
    session: Session, taken: tuple[str, Operator], client: TestClient, events: list[live.LiveEvent]
) -> None:
    number, anna = taken
    response = _user_says(client, "grazie, e per i figli?", intent="faq", confidence=0.71)
    assert response.status_code == 201, response.text
    assert response.json()["ticket"] == number

    assert events[-1].kind == "user_message" and events[-1].ticket == number
    assert events[-1].data["text"] == "grazie, e per i figli?" and events[-1].data["intent"] == "faq"
    await service.send(session, number, anna, "Per i figli vale lo stesso limite.")
    assert [(m.who, m.text, m.intent, m.confidence) for m in service.messages(session, number)][1:] == [
        ("user", "grazie, e per i figli?", "faq", 0.71),
        ("operator", "Per i figli vale lo stesso limite.", None, None),
    ]


async def test_a_message_to_a_conversation_nobody_owns_is_refused(
    session: Session, taken: tuple[str, Operator], client: TestClient
) -> None:
    number, anna = taken
    await service.release(session, number, anna)
    response = _user_says(client, "ci sei ancora?")
    assert response.status_code == 409
    assert error_detail(response) == "Nessun operatore segue questa conversazione: risponde l'assistente."
    assert session.scalars(select(TicketMessage).where(TicketMessage.who == "user")).all() == []


async def test_the_owner_route_names_the_operator_not_their_login(
    taken: tuple[str, Operator], client: TestClient
) -> None:
    number, _ = taken
    owned = client.get(f"/api/v1/conversations/{CONVERSATION}/owner", headers=AUTH).json()
    assert owned["owned"] is True and owned["ticket"] == number and owned["operator_name"] == "Anna"
    assert "anna.rossi" not in str(owned)
    other = client.get("/api/v1/conversations/web:NessunoNessunoNessuno12/owner", headers=AUTH).json()
    assert other == {
        "conversation_id": "web:NessunoNessunoNessuno12",
        "owned": False,
        "ticket": None,
        "operator_name": None,
        "since": None,
    }


@pytest.mark.parametrize(
    "body",
    [{}, {"text": ""}, {"text": "x" * 4001}, {"text": "ok", "confidence": 1.5}, {"text": "ok", "intent": "i" * 129}],
)
def test_invalid_user_messages_are_refused(taken: tuple[str, Operator], client: TestClient, body: Any) -> None:
    response = client.post(f"/api/v1/conversations/{CONVERSATION}/messages", json=body, headers=AUTH)
    assert response.status_code == 422


async def test_suggestions_for_the_users_latest_message(
    session: Session, taken: tuple[str, Operator], client: TestClient, rasa: FakeRasa
) -> None:
    number, _ = taken
    answer = {
        "topic_id": "buoni_pasto",
        "title": "Buoni pasto",
        "answer": "Fino a 8 euro (art. 51 TUIR).",
        "references": ["art. 51, c. 2, lett. c) TUIR"],
        "years": "2026",
        "confidence": 0.62,
    }
    rasa.answers = [{**answer, "topic_id": "altro", "confidence": 0.1}, answer, {"rotto": True}]

    # Before the user writes again: the question in the escalation's transcript.
    first = await service.suggestions(session, number)
    assert rasa.suggested == ["quanto valgono i buoni pasto?"]
    # Best first; a guess below the threshold is not worth an operator's attention.
    assert [s.topic_id for s in first] == ["buoni_pasto"]
    assert first[0].references == ("art. 51, c. 2, lett. c) TUIR",) and first[0].years == "2026"

    _user_says(client, "e quelli cartacei?")
    await service.suggestions(session, number)
    assert rasa.suggested[-1] == "e quelli cartacei?"


async def test_no_suggestions_when_the_model_is_away(
    session: Session, taken: tuple[str, Operator], rasa: FakeRasa
) -> None:
    rasa.down = True
    assert await service.suggestions(session, taken[0]) == []
    assert await service.suggestions(session, "SW-2026-999999") == []
