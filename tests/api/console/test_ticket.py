"""The ticket page and its actions: take over, answer (from a suggestion), hand back,
status changes, notes. The Rasa server is a stand-in (FakeRasa)."""

from __future__ import annotations

import html
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from api.console import canned
from api.operators.models import Operator
from api.settings import Settings
from api.takeover.models import TicketMessage
from api.tickets.models import Ticket, TicketNote
from tests.api.console.support import HTML, FakeRasa, sign_in
from tests.api.support import AUTH, ticket_payload

SUGGESTION = {
    "topic_id": "buoni_pasto",
    "title": "Buoni pasto",
    "answer": "I buoni pasto elettronici sono esenti fino a **10 euro** al giorno.",
    "references": ["TUIR art. 51, comma 2, lettera c"],
    "years": "2025-2026",
    "confidence": 0.83,
}


@pytest.fixture
def luca(client: TestClient, engine: Engine, settings: Settings, operatore: Operator) -> tuple[TestClient, str]:
    return client, sign_in(client, engine, settings, operatore)


def _post(client: TestClient, url: str, csrf: str, **form: str) -> Any:
    return client.post(url, data={"csrf_token": csrf, **form}, headers=HTML, follow_redirects=False)


def test_the_page_shows_the_transcript_with_intents_contact_form_data_and_audit(
    luca: tuple[TestClient, str], ticket: str
) -> None:
    client, _ = luca
    page = html.unescape(client.get(f"/console/ticket/{ticket}", headers=HTML).text)
    assert f"Richiesta {ticket}" in page
    assert "quanto valgono i buoni pasto?" in page and "Forse intendevi…" in page
    assert "intento faq · argomento buoni_pasto · fiducia 41%" in page
    assert "anna.rossi@example.it" in page and "Cooperativa Il Melo" in page and "lavoratore" in page
    assert "<dt>Argomento proposto</dt><dd>buoni_pasto" in page
    assert "socio" not in page and "lavoratore o lavoratrice" in page
    assert "Consenso privacy</dt><dd>02/03/2026 10:15 (informativa 2026-01)" in page  # Rome time
    assert "Assistente virtuale</td>" in page and "<td>nuovo</td>" in page  # the audit trail's creation
    assert "Prendi in carico" in page and "Rispondi all'utente" not in page


def test_an_unknown_ticket_is_a_404_page(luca: tuple[TestClient, str]) -> None:
    client, _ = luca
    for number in ("SW-2026-999999", "non-un-numero"):
        response = client.get(f"/console/ticket/{number}", headers=HTML)
        assert response.status_code == 404 and "Non trovo questa richiesta" in response.text


def test_take_answer_from_a_suggestion_and_hand_back(
    luca: tuple[TestClient, str], ticket: str, rasa: FakeRasa, engine: Engine
) -> None:
    client, csrf = luca
    rasa.suggestions = [SUGGESTION]
    taken = _post(client, f"/console/ticket/{ticket}/prendi", csrf)
    assert taken.status_code == 303
    assert rasa.said[-1] == (
        "telegram:424242",
        "Ti risponde Luca dello Sportello Welfare: da adesso scrivi pure qui, ti legge una persona.",
        "Luca",
        True,
    )
    page = client.get(f"/console/ticket/{ticket}?esito=presa", headers=HTML).text
    assert "Hai preso in carico la conversazione" in page and "La segui tu" in page
    assert 'id="risposta"' in page and "Restituisci all'assistente" in page

    suggestions = html.unescape(client.get(f"/console/ticket/{ticket}/suggerimenti", headers=HTML).text)
    assert rasa.asked == ["quanto valgono i buoni pasto?"]  # the user's latest words
    assert "Buoni pasto" in suggestions and "fiducia 83%" in suggestions
    assert "Norma: TUIR art. 51, comma 2, lettera c." in suggestions and "Vale per: 2025-2026." in suggestions
    assert 'data-argomento="buoni_pasto"' in suggestions and "Inserisci «Buoni pasto»" in suggestions

    edited = SUGGESTION["answer"] + " Ti mando anche il link."  # type: ignore[operator]
    sent = _post(client, f"/console/ticket/{ticket}/rispondi", csrf, text=edited, source_topic="buoni_pasto")
    assert sent.status_code == 303
    assert rasa.said[-1] == ("telegram:424242", edited, "Luca", False)
    with Session(engine) as db:
        message = db.scalars(select(TicketMessage).where(TicketMessage.who == "operator")).one()
        assert (message.text, message.source_topic) == (edited, "buoni_pasto")
    conversation = html.unescape(client.get(f"/console/ticket/{ticket}/conversazione", headers=HTML).text)
    assert "Ti mando anche il link." in conversation and "dall'argomento buoni_pasto" in conversation

    handed = _post(client, f"/console/ticket/{ticket}/restituisci", csrf)
    assert handed.headers["location"] == f"/console/ticket/{ticket}?esito=restituita"
    assert rasa.said[-1][1].startswith("Ora ti risponde di nuovo l'assistente virtuale: Luca")
    assert "Prendi in carico" in client.get(f"/console/ticket/{ticket}", headers=HTML).text


def test_a_second_operator_gets_409_and_sees_who_has_it(
    app: FastAPI,
    luca: tuple[TestClient, str],
    ticket: str,
    rasa: FakeRasa,
    engine: Engine,
    settings: Settings,
    admin: Operator,
) -> None:
    client, csrf = luca
    _post(client, f"/console/ticket/{ticket}/prendi", csrf)
    with TestClient(app) as marta:
        marta_csrf = sign_in(marta, engine, settings, admin)
        response = _post(marta, f"/console/ticket/{ticket}/prendi", marta_csrf)
        assert response.status_code == 409
        assert "Questa richiesta è già in carico a Luca." in html.unescape(response.text)
        # Nor can she write in a conversation that is not hers.
        refused = _post(marta, f"/console/ticket/{ticket}/rispondi", marta_csrf, text="Ciao")
        assert refused.status_code == 409
        page = html.unescape(marta.get(f"/console/ticket/{ticket}", headers=HTML).text)
        assert "La segue Luca" in page and 'id="risposta"' not in page
    with Session(engine) as db:
        assert db.scalars(select(Ticket.assignee)).one() == str(luca_id(engine))


def luca_id(engine: Engine) -> int:
    with Session(engine) as db:
        return db.scalars(select(Operator.id).where(Operator.username == "luca")).one()


def test_an_empty_reply_is_refused_and_the_draft_kept(
    luca: tuple[TestClient, str], ticket: str, rasa: FakeRasa
) -> None:
    client, csrf = luca
    _post(client, f"/console/ticket/{ticket}/prendi", csrf)
    response = _post(client, f"/console/ticket/{ticket}/rispondi", csrf, text="   ", source_topic="buoni_pasto")
    assert response.status_code == 400
    assert "Il messaggio è vuoto" in response.text
    assert 'id="argomento" value="buoni_pasto"' in response.text


def test_a_reply_the_assistant_cannot_deliver_is_kept_for_a_retry(
    luca: tuple[TestClient, str], ticket: str, rasa: FakeRasa, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, csrf = luca
    _post(client, f"/console/ticket/{ticket}/prendi", csrf)

    async def down(*_: object, **__: object) -> None:
        from api.takeover.rasa_client import RasaUnavailable

        raise RasaUnavailable("giù")

    monkeypatch.setattr(rasa, "say", down)
    response = _post(client, f"/console/ticket/{ticket}/rispondi", csrf, text="Eccomi")
    assert response.status_code == 503
    assert "Messaggio non consegnato" in response.text and ">Eccomi</textarea>" in response.text


def test_status_changes_follow_the_state_machine(luca: tuple[TestClient, str], ticket: str, rasa: FakeRasa) -> None:
    client, csrf = luca
    page = client.get(f"/console/ticket/{ticket}", headers=HTML).text
    options = page.split('id="nuovo-stato"')[1].split("</select>")[0]
    assert 'value="in_carico"' in options and 'value="chiuso"' in options and 'value="risolto"' not in options
    refused = _post(client, f"/console/ticket/{ticket}/stato", csrf, stato="risolto")
    assert refused.status_code == 409
    assert "Non puoi passare da «nuovo» a «risolto»" in refused.text
    assert _post(client, f"/console/ticket/{ticket}/stato", csrf, stato="boh").status_code == 400
    closed = _post(client, f"/console/ticket/{ticket}/stato", csrf, stato="chiuso")
    assert closed.status_code == 303
    page = html.unescape(client.get(f"/console/ticket/{ticket}", headers=HTML).text)
    assert "<td>Luca</td>" in page and "nuovo → chiuso" in page  # the audit trail names the operator
    assert "La richiesta è «chiuso»: risponde l'assistente." in page and ">Prendi in carico<" not in page


def test_notes_are_internal_and_signed(luca: tuple[TestClient, str], ticket: str, engine: Engine) -> None:
    client, csrf = luca
    assert _post(client, f"/console/ticket/{ticket}/note", csrf, text="Richiamare lunedì").status_code == 303
    page = client.get(f"/console/ticket/{ticket}", headers=HTML).text
    assert "Richiamare lunedì" in page and "Luca ·" in page
    with Session(engine) as db:
        note = db.scalars(select(TicketNote)).one()
        assert (note.author_kind, note.author_id) == ("operator", str(luca_id(engine)))
    empty = _post(client, f"/console/ticket/{ticket}/note", csrf, text="  ")
    assert empty.status_code == 400


def test_canned_replies_appear_in_the_reply_box_of_the_owner(
    luca: tuple[TestClient, str], ticket: str, rasa: FakeRasa, engine: Engine
) -> None:
    client, csrf = luca
    with Session(engine) as db:
        canned.save(db, "Documenti", "Mandaci l'ultima busta paga, per favore.")
    assert "Mandaci l&#39;ultima busta paga" not in client.get(f"/console/ticket/{ticket}", headers=HTML).text
    _post(client, f"/console/ticket/{ticket}/prendi", csrf)
    page = client.get(f"/console/ticket/{ticket}", headers=HTML).text
    assert 'data-testo="Mandaci l&#39;ultima busta paga, per favore."' in page and "Inserisci «Documenti»" in page


def test_a_rest_conversation_cannot_be_taken_over(
    client: TestClient, luca: tuple[TestClient, str], rasa: FakeRasa
) -> None:
    made = client.post(
        "/api/v1/tickets",
        json=ticket_payload(channel="rest", conversation_id="prova", contact={"name": "Anna", "email": "a@b.it"}),
        headers={**AUTH, "Idempotency-Key": "rest-1"},
    ).json()["number"]
    page = client.get(f"/console/ticket/{made}", headers=HTML).text
    assert "non si può seguire in chat" in page and ">Prendi in carico<" not in page


def test_what_the_page_shows_is_escaped(client: TestClient, luca: tuple[TestClient, str]) -> None:
    hostile = '<script>alert("x")</script>'
    made = client.post(
        "/api/v1/tickets",
        json=ticket_payload(description=hostile, contact={"name": hostile, "email": "a@b.it", "via_chat": True}),
        headers={**AUTH, "Idempotency-Key": "xss-1"},
    ).json()["number"]
    page = client.get(f"/console/ticket/{made}", headers=HTML).text
    assert hostile not in page and "&lt;script&gt;" in page
    assert hostile not in client.get("/console/coda", headers=HTML).text
