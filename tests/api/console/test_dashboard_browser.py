"""The dashboard, the review inbox and the erasure page in headless Chromium (slow: a browser),
on seeded monitoring data: Chart.js draws under the console's CSP, every page passes axe-core,
each chart's table is there, and a review writes into a temporary copy of the knowledge base.

The API runs in this process (uvicorn on a free port, in a thread). Leaves a screenshot of the
dashboard in tests/artifacts/; its top goes to docs/ for the README when docs/ has none
(delete docs/console-dashboard.png to refresh it), so a test run does not change a tracked file.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
import yaml
from pydantic import SecretStr
from sqlalchemy import Engine

from api.console.knowledge import KnowledgeBase, knowledge_base
from api.db import create_db_engine
from api.main import create_app
from api.operators.models import Role
from api.settings import Settings
from sportello.paths import REPO_ROOT
from tests.api.browser import CHROMIUM, assert_accessible, chromium
from tests.api.console.dashboard_data import FORTNIGHT, seed_fortnight
from tests.api.console.support import PASSWORD, make_operator
from tests.api.support import TOKEN
from tests.ports import free_port

pytestmark = pytest.mark.slow

ARTIFACTS = REPO_ROOT / "tests" / "artifacts"
DOCS_SCREENSHOT = REPO_ROOT / "docs" / "console-dashboard.png"
WAIT_MS = 15_000
TOP = {"x": 0, "y": 0, "width": 1366, "height": 1500}
CHARTS = ("conversazioni", "messaggi", "esiti", "argomenti", "voti", "confidenza")

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect


@dataclass
class Console:
    url: str
    engine: Engine
    kb: KnowledgeBase
    senders: list[str]

    def page_url(self, path: str, query: dict[str, str] | None = None) -> str:
        return f"{self.url}{path}" + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    if not CHROMIUM.exists():
        pytest.skip("Chromium assente: installalo con `apt-get install chromium`")
    folder = tmp_path_factory.mktemp("cruscotto")
    settings = Settings(
        var_dir=folder / "var", database_url=f"sqlite:///{folder / 'api.db'}", service_token=SecretStr(TOKEN)
    )
    copy = folder / "knowledge_base"
    shutil.copytree(REPO_ROOT / "knowledge_base", copy)
    (folder / "heldout.yml").write_text("test: []\n", encoding="utf-8")
    kb = KnowledgeBase(copy, folder / "heldout.yml")
    app = create_app(settings)
    app.dependency_overrides[knowledge_base] = lambda: kb  # never the real knowledge base
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            pytest.fail("l'API non è partita")
        thread.join(0.05)
    engine = create_db_engine(settings.database_url)
    senders = seed_fortnight(engine, settings.monitoring_key.get_secret_value())
    make_operator(engine, "marta.admin", "Marta", role=Role.AMMINISTRATORE)
    make_operator(engine, "luca", "Luca")
    try:
        yield Console(f"http://127.0.0.1:{port}", engine, kb, senders)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        engine.dispose()


@pytest.fixture(scope="module")
def browser(console: Console) -> Iterator[Any]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="it-IT")
    page = context.new_page()
    errors: list[str] = []
    # What the browser complains about (a script the CSP refused, a missing file), with where.
    page.on(
        "console",
        lambda message: (
            errors.append(f"{message.text} {message.location.get('url', '')}") if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    yield page
    context.close()


def _log_in(page: Any, console: Console, username: str, path: str, query: dict[str, str] | None = None) -> None:
    page.goto(console.page_url(path, query))
    expect(page).to_have_url(f"{console.url}/console/login?next=" + page.url.split("next=", 1)[1])
    page.get_by_label("Nome utente").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Entra").click()
    page.wait_for_url(console.page_url(path, query), timeout=WAIT_MS)


def test_the_dashboard_draws_its_charts_with_their_tables(console: Console, page: Any) -> None:
    _log_in(page, console, "luca", "/console/cruscotto", FORTNIGHT)
    expect(page.get_by_role("heading", name="Cruscotto", exact=True)).to_be_visible()
    # Every chart drawn by Chart.js (dashboard.js marks the canvas), none refused by the CSP.
    for name in CHARTS:
        canvas = page.locator(f"canvas#grafico-{name}")
        expect(canvas).to_have_attribute("data-disegnato", "sì", timeout=WAIT_MS)
        expect(canvas).to_have_attribute("role", "img")
        assert canvas.bounding_box()["height"] > 100, name
    assert page.evaluate("() => Object.keys(window.Chart.instances).length") == len(CHARTS)
    drawn = page.evaluate(
        """() => {
            const c = document.getElementById('grafico-esiti');
            const pixels = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let inked = 0;
            for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) inked++;
            return inked;
        }"""
    )
    assert drawn > 1000  # the bars, the axes and the values written next to the bars
    assert not [e for e in page.errors if "favicon" not in e], page.errors
    # Each chart's data as a table, and the figures the seeding made.
    figure = page.locator(".cifre dt:text-is('Conversazioni') + dd")
    expect(figure).to_have_text(str(len(set(console.senders))))
    for name in ("esiti", "argomenti", "voti", "confidenza"):
        expect(page.locator(f"table#tabella-{name}")).to_be_visible()
    expect(page.get_by_role("table", name="Confidenza dell'argomento migliore (domande FAQ)")).to_be_visible()
    assert_accessible(page, "cruscotto con i grafici")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "console-dashboard.png"), full_page=True)
    # The README's picture, the top of the page: delete it to take a new one.
    page.screenshot(path=str(ARTIFACTS / "console-dashboard-top.png"), full_page=True, clip=TOP)
    if not DOCS_SCREENSHOT.exists():
        shutil.copyfile(ARTIFACTS / "console-dashboard-top.png", DOCS_SCREENSHOT)
    traffic = page.locator("table#tabella-traffico")
    expect(traffic).to_be_hidden()
    page.get_by_text("Tabella dei dati giorno per giorno").click()
    expect(traffic).to_be_visible()
    assert_accessible(page, "cruscotto con la tabella del traffico aperta")

    # A CSV link of a table downloads the file.
    with page.expect_download() as download:
        page.get_by_role("link", name="Scarica in CSV la tabella «Cosa ha fatto l'assistente»").click()
    saved = Path(download.value.path())
    assert download.value.suggested_filename == "sportello-esiti-2026-03-02-2026-03-15.csv"
    assert saved.read_text(encoding="utf-8-sig").startswith("Esito;Codice;Messaggi;Quota sulle domande")

    # The period by keyboard: the form's fields have labels.
    page.get_by_label("Dal", exact=True).fill("2026-03-09")
    page.get_by_label("Al (compreso)", exact=True).fill("2026-03-09")
    page.get_by_label("Al (compreso)", exact=True).press("Enter")
    expect(page.get_by_text("dal 09/03/2026 al 09/03/2026 (1 giorno")).to_be_visible()
    expect(page.locator("canvas#grafico-esiti")).to_have_attribute("data-disegnato", "sì", timeout=WAIT_MS)
    assert_accessible(page, "cruscotto di un giorno")


def test_review_and_erasure_pages(console: Console, page: Any) -> None:
    _log_in(page, console, "marta.admin", "/console/revisione", FORTNIGHT)
    expect(page.get_by_role("heading", name="Revisione dei messaggi")).to_be_visible()
    assert_accessible(page, "revisione")
    first = page.locator("li.gruppo").first
    representative = first.locator("h3").inner_text()
    first.get_by_label("Aggiungi come domande dell'argomento").select_option("welfare_cose")
    first.get_by_role("button", name="Aggiungi all'argomento (gruppo 1)").click()
    expect(page.locator("#esito")).to_contain_text("all'argomento «Che cos'è il welfare aziendale»")
    expect(page.locator("#esito")).to_contain_text("make train && make eval")
    assert_accessible(page, "revisione dopo un'assegnazione")
    page.screenshot(path=str(ARTIFACTS / "console-review.png"), full_page=True)
    topic = next(
        t
        for t in yaml.safe_load((console.kb.folder / "01_welfare_aziendale.yml").read_text(encoding="utf-8"))["topics"]
        if t["id"] == "welfare_cose"
    )
    assert any(q in representative for q in topic["questions"][-2:])
    assert page.locator("li.gruppo h3").first.inner_text() != representative

    page.get_by_role("link", name="Cancellazione dati").click()
    assert_accessible(page, "cancellazione, modulo")
    page.get_by_label("Oppure l'id della conversazione").fill(next(s for s in console.senders if s.startswith("web:")))
    page.get_by_role("button", name="Vedi cosa verrà cancellato").click()
    expect(page.get_by_role("heading", name="Conferma la cancellazione")).to_be_visible()
    assert_accessible(page, "cancellazione, conferma")
    page.screenshot(path=str(ARTIFACTS / "console-erasure.png"), full_page=True)
    page.get_by_role("button", name="Cancella definitivamente").click()
    expect(page.get_by_text("Cancellazione fatta")).to_be_visible()
    assert_accessible(page, "cancellazione fatta")
