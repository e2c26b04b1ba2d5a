"""Erasure on request from the console (`/console/cancellazione`): the confirmation counts what
each store holds and erases nothing; the confirmed erasure leaves nothing of that user in any
store, leaves the others' data alone, and its audit row holds counts, never whose."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Column, Engine, Float, Integer, MetaData, String, Table, Text, insert, select
from sqlalchemy.orm import Session

from api.console.erasure import NO_TICKET, NOT_A_NUMBER, NOTHING_FOUND, ONE_OF_THE_TWO, STORES
from api.db import create_db_engine
from api.monitoring.ingest import ingest
from api.monitoring.models import PrivacyAudit
from api.operators.models import Operator
from api.settings import Settings
from tests.api.console.support import HTML, sign_in
from tests.api.monitoring.rasa_events import Conversation
from tests.api.monitoring.test_retention import everything

USER = "telegram:424242"  # the conversation of the `ticket` fixture (tests/api/support.ticket_payload)
OTHER = "telegram:777"
QUESTION = "domanda di Anna sul nido aziendale"
OTHER_QUESTION = "domanda di Paolo sui buoni pasto"
# Rasa's SQLTrackerStore table, as Rasa creates it (the columns the erasure reads).
RASA_EVENTS = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("data", Text),
)


@pytest.fixture
def tracker(settings: Settings) -> Engine:
    """Rasa's tracker store where the API looks for it (SPORTELLO_TRACKER_URL: a SQLite file)."""
    made = create_db_engine(settings.tracker_url)
    RASA_EVENTS.create(made)
    return made


@pytest.fixture
def stores(
    engine: Engine, settings: Settings, tracker: Engine, ticket: str, post_vote: Callable[..., object]
) -> dict[str, list[dict[str, object]]]:
    """Two users with data everywhere: the ticket's user and another one."""
    talks = {
        USER: Conversation(USER).start().not_understood(QUESTION).events,
        OTHER: Conversation(OTHER).start().not_understood(OTHER_QUESTION).events,
    }
    for sender, events in talks.items():
        with Session(engine) as session:
            ingest(session, events, key=settings.monitoring_key.get_secret_value(), low_confidence=0.6)
        with tracker.begin() as connection:
            for event in events:
                row = {"sender_id": sender, "type_name": event["event"], "timestamp": event["timestamp"]}
                connection.execute(insert(RASA_EVENTS).values(**row, data=json.dumps(event)))
        post_vote(conversation_id=sender, question=QUESTION if sender == USER else OTHER_QUESTION)
    return talks


@pytest.fixture
def marta(client: TestClient, engine: Engine, settings: Settings, admin: Operator) -> str:
    return sign_in(client, engine, settings, admin)


def _post(client: TestClient, path: str, csrf: str, **form: str) -> tuple[int, str]:
    response = client.post(path, data={"csrf_token": csrf, **form}, headers=HTML)
    return response.status_code, response.text


def _counts(page: str) -> dict[str, int]:
    """The table of rows per store (label → count) on the page."""
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td class="num">(\d+)</td></tr>', page)
    return {html.unescape(label): int(count) for label, count in rows}


def test_found_by_ticket_confirmed_then_erased_everywhere(
    client: TestClient,
    marta: str,
    stores: dict[str, list[dict[str, object]]],
    ticket: str,
    engine: Engine,
    tracker: Engine,
) -> None:
    status, page = _post(client, "/console/cancellazione", marta, ticket=ticket.lower())
    assert status == 200 and "Conferma la cancellazione" in page
    assert f"trovata dal ticket <strong>{ticket}</strong>" in page and f"<code>{USER}</code>" in page
    expected = {
        STORES["tracker_events"]: len(stores[USER]),
        STORES["monitoring_turns"]: 1,
        STORES["monitoring_conversations"]: 1,
        STORES["feedback"]: 1,
        STORES["ticket_messages"]: 0,
        STORES["tickets"]: 1,
    }
    assert _counts(page) == expected
    assert f'<input type="hidden" name="ticket" value="{ticket}">' in page
    assert QUESTION in everything(engine, tracker)  # only counted, nothing erased yet

    status, page = _post(client, "/console/cancellazione/conferma", marta, ticket=ticket)
    assert status == 200 and "Cancellazione fatta" in page
    assert _counts(page) == expected
    dump = everything(engine, tracker)
    for trace in (USER, QUESTION, ticket, "anna.rossi@example.it"):
        assert trace not in dump, trace
    assert OTHER in dump and OTHER_QUESTION in dump  # the other user's data stays
    with Session(engine) as session:
        (audit,) = session.scalars(select(PrivacyAudit))
    assert (audit.action, audit.actor, audit.found_by) == ("erasure", "marta.admin", "ticket")
    assert sum(audit.counts.values()) == sum(expected.values())
    row = json.dumps([str(getattr(audit, c.key)) for c in PrivacyAudit.__table__.columns])
    assert USER not in row and ticket not in row and "424242" not in row


def test_found_by_conversation_id(
    client: TestClient, marta: str, stores: dict[str, list[dict[str, object]]], engine: Engine, tracker: Engine
) -> None:
    status, page = _post(client, "/console/cancellazione", marta, conversazione=f"  {OTHER} ")
    assert status == 200 and _counts(page)[STORES["monitoring_turns"]] == 1
    assert _counts(page)[STORES["tickets"]] == 0
    assert f'<input type="hidden" name="conversazione" value="{OTHER}">' in page
    status, page = _post(client, "/console/cancellazione/conferma", marta, conversazione=OTHER)
    assert status == 200 and _counts(page)[STORES["tracker_events"]] == len(stores[OTHER])
    dump = everything(engine, tracker)
    assert OTHER not in dump and OTHER_QUESTION not in dump and QUESTION in dump
    with Session(engine) as session:
        assert session.scalars(select(PrivacyAudit.found_by)).one() == "conversation"


@pytest.mark.parametrize(
    ("form", "status", "message"),
    [
        ({}, 400, ONE_OF_THE_TWO),
        ({"conversazione": "telegram:1", "ticket": "SW-2026-000001"}, 400, ONE_OF_THE_TWO),
        ({"ticket": "ticket di Anna"}, 400, NOT_A_NUMBER.format(given="ticket di Anna")),
        ({"ticket": "SW-2026-999999"}, 404, NO_TICKET.format(given="SW-2026-999999")),
        ({"conversazione": "web:nessuno"}, 404, NOTHING_FOUND.format(given="web:nessuno")),
    ],
)
def test_a_request_that_finds_nothing_to_erase_is_explained(
    client: TestClient,
    marta: str,
    stores: dict[str, list[dict[str, object]]],
    engine: Engine,
    tracker: Engine,
    form: dict[str, str],
    status: int,
    message: str,
) -> None:
    before = everything(engine, tracker)
    got, page = _post(client, "/console/cancellazione", marta, **form)
    assert got == status and message in html.unescape(page)
    assert 'name="conversazione"' in page and "Conferma la cancellazione" not in page  # the form, to correct it
    if "conversazione" not in form:  # nothing to resolve: the confirmation refuses the same way
        got, page = _post(client, "/console/cancellazione/conferma", marta, **form)
        assert got == status and message in html.unescape(page)
    assert everything(engine, tracker) == before
    with Session(engine) as session:
        assert session.scalars(select(PrivacyAudit)).all() == []


def test_the_form_asks_for_one_of_the_two(client: TestClient, marta: str) -> None:
    page = client.get("/console/cancellazione", headers=HTML).text
    assert '<label for="ticket">Numero di un suo ticket</label>' in page
    assert '<label for="conversazione">Oppure l\'id della conversazione</label>' in page
    assert 'action="/console/cancellazione"' in page and "Conferma" not in page
