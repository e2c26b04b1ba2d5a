"""The console in headless Chromium (slow: a browser): every page checked with axe-core,
live updates through server-sent events, a takeover answered from a suggestion.

The API runs in this process (uvicorn on a free port, in a thread), so the Rasa server
is the tests' stand-in (FakeRasa). Leaves screenshots of the queue and of a ticket in
tests/artifacts/; the ticket's goes to docs/ for the README when docs/ has none (delete
docs/console-ticket.png to refresh it), so a test run does not change a tracked file.
"""

from __future__ import annotations

import json
import shutil
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.console.models import CannedReply
from api.db import create_db_engine
from api.main import create_app
from api.operators.models import Operator, Role
from api.settings import Settings
from api.takeover import rasa_client
from api.takeover.models import TicketMessage
from sportello.paths import REPO_ROOT
from tests.api.browser import CHROMIUM, assert_accessible, chromium
from tests.api.console.support import PASSWORD, FakeRasa, make_operator
from tests.api.support import TOKEN, ticket_payload
from tests.ports import free_port

pytestmark = pytest.mark.slow

ARTIFACTS = REPO_ROOT / "tests" / "artifacts"
DOCS_SCREENSHOT = REPO_ROOT / "docs" / "console-ticket.png"
WAIT_MS = 15_000
ANSWER = "I buoni pasto elettronici sono esenti fino a **10 euro** al giorno (8 euro quelli cartacei)."
SUGGESTION: dict[str, Any] = {
    "topic_id": "buoni_pasto",
    "title": "Buoni pasto elettronici",
    "answer": ANSWER,
    "references": ["TUIR art. 51, comma 2, lettera c"],
    "years": "2025-2026",
    "confidence": 0.86,
}

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect


@dataclass
class Console:
    url: str
    engine: Any
    rasa: FakeRasa

    def api(self, method: str, path: str, body: dict[str, Any], **headers: str) -> dict[str, Any]:
        request = urllib.request.Request(
            f"{self.url}{path}",
            data=json.dumps(body).encode(),
            method=method,
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}", **headers},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            answer: dict[str, Any] = json.loads(response.read())
            return answer

    def new_ticket(self, key: str, **overrides: Any) -> str:
        number: str = self.api("POST", "/api/v1/tickets", ticket_payload(**overrides), **{"Idempotency-Key": key})[
            "number"
        ]
        return number


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    if not CHROMIUM.exists():
        pytest.skip("Chromium assente: installalo con `apt-get install chromium`")
    folder = tmp_path_factory.mktemp("console")
    settings = Settings(
        var_dir=folder / "var", database_url=f"sqlite:///{folder / 'api.db'}", service_token=SecretStr(TOKEN)
    )
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            pytest.fail("l'API non è partita")
        thread.join(0.05)
    fake = FakeRasa(suggestions=[SUGGESTION])
    rasa_client.install(fake)  # after the start: the lifespan installs the real client
    engine = create_db_engine(settings.database_url)
    make_operator(engine, "marta.admin", "Marta", role=Role.AMMINISTRATORE)
    make_operator(engine, "luca", "Luca")
    with Session(engine) as db:
        db.add(CannedReply(title="Documenti da inviare", text="Per verificare mandaci l'ultima busta paga."))
        db.commit()
    try:
        yield Console(f"http://127.0.0.1:{port}", engine, fake)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        rasa_client.install(None)
        engine.dispose()


@pytest.fixture(scope="module")
def browser(console: Console) -> Iterator[Any]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="it-IT")
    page = context.new_page()
    yield page
    context.close()


def _log_in(page: Any, console: Console, username: str) -> None:
    page.goto(f"{console.url}/console/coda")
    expect(page).to_have_url(f"{console.url}/console/login?next=%2Fconsole%2Fcoda")
    assert_accessible(page, "pagina di accesso")
    page.get_by_label("Nome utente").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Entra").click()
    expect(page.get_by_role("heading", name="Coda delle richieste")).to_be_visible(timeout=WAIT_MS)


def _live(page: Any) -> None:
    """Wait until the page's event stream is open (htmx-ext-sse keeps it in htmx's element data)."""
    page.wait_for_function(
        """() => {
            const el = document.querySelector('[sse-connect]');
            const data = el && el['htmx-internal-data'];
            return Boolean(data && data.sseEventSource && data.sseEventSource.readyState === 1);
        }""",
        timeout=WAIT_MS,
    )


def test_queue_and_ticket_live_takeover_and_reply(console: Console, page: Any) -> None:
    first = console.new_ticket("browser-1")
    _log_in(page, console, "luca")
    expect(page.get_by_role("link", name=first)).to_be_visible()
    _live(page)

    # A new ticket appears without reloading the page, in the table and in "Novità".
    second = console.new_ticket(
        "browser-2",
        channel="webchat",
        conversation_id="web:browser",
        contact={"name": "Paolo Bianchi", "email": "paolo@example.it", "via_chat": True},
        description="Posso convertire il premio di risultato in welfare?",
    )
    expect(page.locator("#tabella-coda").get_by_role("link", name=second)).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("#novita")).to_contain_text(f"Nuova richiesta {second}", timeout=WAIT_MS)
    assert_accessible(page, "coda con le novità")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "console-queue.png"), full_page=True)

    # Filters by keyboard: a form with labels (its channels are those of the tickets at load).
    page.reload()
    page.get_by_label("Canale").select_option("webchat")
    page.get_by_role("button", name="Filtra").press("Enter")
    expect(page.locator("#tabella-coda").get_by_role("link", name=first)).to_have_count(0)
    expect(page.locator("#tabella-coda").get_by_role("link", name=second)).to_be_visible()
    assert_accessible(page, "coda filtrata")

    # The ticket page: take over, insert a suggestion, edit it, send it.
    page.get_by_role("link", name=second).first.click()
    expect(page.get_by_role("heading", name=f"Richiesta {second}")).to_be_visible()
    assert_accessible(page, "pagina della richiesta")
    page.get_by_role("button", name="Prendi in carico").click()
    expect(page.get_by_text("Hai preso in carico la conversazione")).to_be_visible()
    assert console.rasa.said[-1][0] == "web:browser" and "Ti risponde Luca" in console.rasa.said[-1][1]
    insert = page.get_by_role("button", name="Inserisci «Buoni pasto elettronici»")
    expect(insert).to_be_visible(timeout=WAIT_MS)
    insert.focus()
    page.keyboard.press("Enter")
    box = page.get_by_label("Messaggio (arriva all'utente nella sua chat, firmato Luca)")
    expect(box).to_be_focused()
    expect(box).to_have_value(ANSWER)
    box.press("End")
    box.type(" Se vuoi ti mando il riferimento.")
    assert_accessible(page, "richiesta presa in carico, risposta inserita")
    _live(page)

    # The user writes while the operator looks: the message appears live.
    console.api(
        "POST",
        "/api/v1/conversations/web:browser/messages",
        {"text": "grazie, e per i ticket restaurant cartacei?", "intent": "faq", "confidence": 0.71},
    )
    expect(page.locator("#conversazione")).to_contain_text("e per i ticket restaurant cartacei?", timeout=WAIT_MS)
    expect(page.locator("#conversazione")).to_contain_text("intento faq · fiducia 71%")
    expect(box).to_have_value(ANSWER + " Se vuoi ti mando il riferimento.")  # the draft survives
    page.screenshot(path=str(ARTIFACTS / "console-ticket.png"), full_page=True)
    if not DOCS_SCREENSHOT.exists():  # the README's picture: delete it to take a new one
        shutil.copyfile(ARTIFACTS / "console-ticket.png", DOCS_SCREENSHOT)

    page.get_by_role("button", name="Invia", exact=True).click()
    expect(page.get_by_text("Risposta inviata.")).to_be_visible()
    with Session(console.engine) as db:
        sent = db.scalars(select(TicketMessage).where(TicketMessage.who == "operator")).one()
    assert sent.source_topic == "buoni_pasto" and sent.text.endswith("Se vuoi ti mando il riferimento.")
    assert console.rasa.said[-1][1] == sent.text

    # Hand back.
    page.get_by_role("button", name="Restituisci all'assistente").click()
    expect(page.get_by_text("Conversazione restituita all'assistente")).to_be_visible()
    assert_accessible(page, "richiesta restituita")


def test_every_other_console_page_is_accessible(console: Console, page: Any) -> None:
    number = console.new_ticket("browser-3", conversation_id="telegram:777")
    _log_in(page, console, "marta.admin")
    page.goto(f"{console.url}/console/ticket/{number}")
    page.get_by_role("button", name="Prendi in carico").click()
    expect(page.get_by_role("button", name="Inserisci «Documenti da inviare»")).to_be_visible()
    page.get_by_label("Nuova nota").fill("Richiamare lunedì mattina")
    page.get_by_role("button", name="Aggiungi nota").click()
    expect(page.get_by_text("Nota aggiunta.")).to_be_visible()
    page.get_by_label("Passa a").select_option("in_attesa_utente")
    page.get_by_role("button", name="Cambia stato").click()
    expect(page.get_by_text("Stato aggiornato.")).to_be_visible()
    assert_accessible(page, "richiesta con nota e cronologia")

    page.get_by_role("link", name="Operatori", exact=True).click()
    assert_accessible(page, "operatori")
    page.get_by_label("Nome utente (per entrare)").fill("giulia")
    page.get_by_label("Nome visibile agli utenti").fill("Giulia")
    page.get_by_label("Password iniziale (almeno 12 caratteri)").fill(PASSWORD)
    page.get_by_role("button", name="Aggiungi").click()
    expect(page.get_by_text("Operatore aggiunto.")).to_be_visible()
    page.get_by_role("button", name="Nuova password per Giulia").click()
    expect(page.locator("code.segreto")).to_be_visible()
    assert_accessible(page, "operatori, password temporanea")

    page.get_by_role("link", name="Risposte pronte", exact=True).click()
    assert_accessible(page, "risposte pronte")
    page.get_by_role("link", name="Modifica «Documenti da inviare»").click()
    assert_accessible(page, "modifica di una risposta pronta")

    page.get_by_role("link", name="Password", exact=True).click()
    assert_accessible(page, "cambio password")
    page.goto(f"{console.url}/console/ticket/SW-2026-999999")
    expect(page.get_by_role("heading", name="Non trovato")).to_be_visible()
    assert_accessible(page, "pagina d'errore")

    page.get_by_role("link", name="Torna alla coda").click()
    page.get_by_role("button", name="Esci").click()
    expect(page.get_by_text("Sei uscito dalla console.")).to_be_visible()
    with Session(console.engine) as db:
        assert db.scalars(select(Operator).where(Operator.username == "giulia")).one().must_change_password
