"""The queue page: oldest first, filters, counts per status, the table htmx refreshes."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.console import queue
from api.models import utcnow
from api.operators.models import Operator
from api.settings import Settings
from api.tickets import crud
from api.tickets.actors import SERVICE_ACTOR
from api.tickets.models import Ticket
from api.tickets.schemas import TicketCreate
from api.tickets.states import TicketStatus
from tests.api.console.support import HTML, sign_in
from tests.api.support import ticket_payload

NUMBER = re.compile(r'<th scope="row"><a href="/console/ticket/(SW-\d{4}-\d{6})">')


@pytest.fixture
def make(engine: Engine) -> Callable[..., str]:
    """A ticket created `hours_ago`, optionally in `status` and assigned to an operator."""
    counter = iter(range(1, 1000))

    def create(
        hours_ago: float, *, status: TicketStatus | None = None, assignee: Operator | None = None, **payload: object
    ) -> str:
        with Session(engine) as db:
            ticket, _ = crud.create_ticket(
                db,
                TicketCreate.model_validate(ticket_payload(**payload)),
                idempotency_key=f"coda-{next(counter)}",
                actor=SERVICE_ACTOR,
                now=utcnow() - timedelta(hours=hours_ago),
            )
            row = db.get(Ticket, ticket.id)
            assert row is not None
            if status is not None:
                row.status = status.value
            if assignee is not None:
                row.assignee = str(assignee.id)
            db.commit()
            return ticket.number

    return create


def _numbers(html: str) -> list[str]:
    return NUMBER.findall(html)


@pytest.fixture
def luca(client: TestClient, engine: Engine, settings: Settings, operatore: Operator) -> TestClient:
    sign_in(client, engine, settings, operatore)
    return client


def test_oldest_first_with_status_channel_age_and_assignee(
    luca: TestClient, make: Callable[..., str], operatore: Operator
) -> None:
    newer = make(1)
    older = make(30, channel="webchat", conversation_id="web:abc", status=TicketStatus.IN_CARICO, assignee=operatore)
    page = luca.get("/console/coda", headers=HTML)
    assert _numbers(page.text) == [older, newer]
    row = page.text[page.text.index(older) :].split("</tr>")[0]
    assert "in carico" in row and "chat web" in row and "30 ore" in row and "Luca" in row
    assert "Anna Rossi" in row and "Cooperativa Il Melo" in row


def test_counts_per_status_with_the_other_filters(luca: TestClient, make: Callable[..., str]) -> None:
    make(1)
    make(2)
    make(3, status=TicketStatus.CHIUSO)
    make(4, channel="webchat", conversation_id="web:x")
    page = luca.get("/console/coda", params={"canale": "telegram", "stato": "nuovo"}, headers=HTML).text
    counts = dict(re.findall(r'stato-(\w+)">[^<]+</span> <strong>(\d+)</strong>', page))
    assert counts["nuovo"] == "2" and counts["chiuso"] == "1" and counts["in_carico"] == "0"
    assert len(_numbers(page)) == 2


def test_filters(luca: TestClient, make: Callable[..., str], operatore: Operator, admin: Operator) -> None:
    mine = make(5, status=TicketStatus.IN_CARICO, assignee=operatore)
    theirs = make(6, status=TicketStatus.IN_CARICO, assignee=admin)
    fresh = make(0.5)
    web = make(48, channel="webchat", conversation_id="web:y")

    def numbers(**params: str) -> set[str]:
        return set(_numbers(luca.get("/console/coda", params=params, headers=HTML).text))

    assert numbers(miei="1") == {mine}
    assert numbers(stato="in_carico") == {mine, theirs}
    assert numbers(canale="webchat") == {web}
    assert numbers(ore="4") == {mine, theirs, web}
    assert numbers(ore="24") == {web}
    assert numbers() == {mine, theirs, fresh, web}


@pytest.mark.parametrize(
    "params", [{"stato": "", "canale": "", "ore": "", "miei": ""}, {"stato": "boh", "ore": "tante"}]
)
def test_empty_or_odd_filters_mean_no_filter(
    luca: TestClient, make: Callable[..., str], params: dict[str, str]
) -> None:
    number = make(1)
    page = luca.get("/console/coda", params=params, headers=HTML)
    assert page.status_code == 200 and _numbers(page.text) == [number]


def test_the_filter_form_keeps_what_was_chosen(luca: TestClient, make: Callable[..., str]) -> None:
    make(1)
    page = luca.get(
        "/console/coda", params={"stato": "nuovo", "canale": "telegram", "ore": "3", "miei": "1"}, headers=HTML
    ).text
    assert '<option value="nuovo" selected>' in page and '<option value="telegram" selected>' in page
    assert 'value="3"' in page and 'name="miei" type="checkbox" value="1" checked' in page
    # htmx refreshes the table with the same filters.
    assert 'hx-get="/console/coda/righe?stato=nuovo&amp;canale=telegram&amp;miei=1&amp;ore=3"' in page


def test_the_table_alone_carries_the_counts_out_of_band(luca: TestClient, make: Callable[..., str]) -> None:
    number = make(1)
    fragment = luca.get("/console/coda/righe", headers={**HTML, "HX-Request": "true"}).text
    assert "<html" not in fragment and _numbers(fragment) == [number]
    assert '<ul class="conteggi" id="conteggi" hx-swap-oob="true">' in fragment
    full = luca.get("/console/coda", headers=HTML).text
    assert full.count('id="conteggi"') == 1


def test_pages_follow_the_queue_order(
    luca: TestClient, make: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queue, "PAGE_SIZE", 2)
    made = [make(hours) for hours in (5, 4, 3)]
    first = luca.get("/console/coda", headers=HTML).text
    assert _numbers(first) == made[:2]
    link = re.search(r'<a href="(/console/coda\?dopo=[^"]+)">Pagina successiva</a>', first)
    assert link is not None
    second = luca.get(link.group(1).replace("&amp;", "&"), headers=HTML).text
    assert _numbers(second) == made[2:] and "Pagina successiva" not in second


def test_the_console_home_is_the_queue(luca: TestClient) -> None:
    response = luca.get("/console", headers=HTML, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/console/coda"


def test_the_live_updates_are_wired(luca: TestClient) -> None:
    page = luca.get("/console/coda", headers=HTML).text
    assert 'sse-connect="/console/events"' in page
    assert 'hx-trigger="sse:ticket_created, sse:ticket_changed, sse:user_message, every 60s"' in page
    assert 'sse-swap="ticket_created,user_message"' in page
