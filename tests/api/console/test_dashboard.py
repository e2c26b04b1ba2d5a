"""The dashboard page (`/console/cruscotto`) on a seeded dataset whose figures are known:
the figures, tables, charts' data and CSV links on the page, and the period filter."""

from __future__ import annotations

import html
import json
import re
from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.console.dashboard import BAD_DATE, NO_TABLE, InvalidPeriod, number_it, read_period, share_it
from api.console.knowledge import KnowledgeBase, knowledge_base
from api.console.pages import CSP
from api.monitoring import metrics
from api.monitoring.routes import BAD_PERIOD
from api.operators.models import Operator
from api.settings import Settings
from tests.api.console.dashboard_data import DAY1, DAY2, DROPPED, PERIOD, seed
from tests.api.console.support import HTML, JSON, sign_in
from tests.api.support import error_detail

_CHARTS = re.compile(r'<script type="application/json" id="dati-grafici">(.*?)</script>', re.S)
_CSV_LINKS = re.compile(r'<a href="(/console/cruscotto/[a-z]+\.csv\?[^"]+)" download>')


@pytest.fixture
def seeded(engine: Engine, settings: Settings) -> Engine:
    seed(engine, settings.monitoring_key.get_secret_value())
    return engine


@pytest.fixture
def luca(client: TestClient, engine: Engine, settings: Settings, operatore: Operator) -> TestClient:
    sign_in(client, engine, settings, operatore)
    return client


def _page(client: TestClient, **params: str) -> str:
    response = client.get("/console/cruscotto", params=params, headers=HTML)
    assert response.status_code == 200, response.text
    return response.text


def _figure(page: str, label: str) -> str:
    match = re.search(rf"<dt>{re.escape(label)}</dt><dd>([^<]+)", page)
    assert match, label
    return match.group(1).strip()


def _rows(page: str, table_id: str) -> list[list[str]]:
    """The cells of a table of the page, as text."""
    body = page.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0].split("<tbody>", 1)[1]
    return [
        [html.unescape(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def _charts(page: str) -> dict[str, dict[str, object]]:
    match = _CHARTS.search(page)
    assert match, "nessun blocco JSON dei grafici"
    specs: dict[str, dict[str, object]] = json.loads(match.group(1))
    return specs


def test_the_known_figures_are_on_the_page(seeded: Engine, luca: TestClient) -> None:
    page = _page(luca, **PERIOD)
    assert "dal 02/03/2026 al 03/03/2026 (2 giorni" in page
    assert _figure(page, "Conversazioni") == "4"
    assert _figure(page, "Messaggi degli utenti") == "12"
    assert _figure(page, "Risposte dirette") == "50%"  # 3 of the 6 questions
    assert _figure(page, "Contenimento") == "75%"
    assert _figure(page, "Passaggi a un operatore") == "25%"
    assert _figure(page, "Ticket aperti") == "2"
    assert _figure(page, "Prima risposta") == "60 min"  # median of 30 and 90 minutes
    assert _figure(page, "Risoluzione") == "2 ore"
    assert f"il server Rasa ha perso {DROPPED} eventi di monitoraggio" in page
    # The tables, in Italian formats, with the knowledge base's titles.
    assert _rows(page, "tabella-traffico") == [
        ["02/03/2026", "REST", "1", "4"],
        ["02/03/2026", "Telegram", "1", "3"],
        ["02/03/2026", "chat web", "1", "3"],
        ["03/03/2026", "REST", "1", "2"],
    ]
    assert _rows(page, "tabella-esiti")[:5] == [
        ["risposta diretta", "answered", "3", "50%"],
        ["risposta scelta tra le proposte", "selected", "1", "—"],
        ["argomenti proposti", "proposed", "1", "16,7%"],
        ["non capito", "not_understood", "1", "16,7%"],
        ["fuori ambito", "out_of_scope", "1", "16,7%"],
    ]
    assert _rows(page, "tabella-voti")[0] == ["Cosa sono i fringe benefit (fringe_cosa)", "0", "1", "0%"]
    assert _rows(page, "tabella-argomenti")[0][0] == "Buoni pasto: limiti esenti 2026 (buoni_pasto)"
    assert ["Tempo medio di risposta dell'assistente (ms)", "400"] in _rows(page, "tabella-contenimento")
    assert ["Eventi persi dal server Rasa (coda piena)", str(DROPPED)] in _rows(page, "tabella-raccolta")


def test_every_chart_has_its_data_its_canvas_and_its_table(seeded: Engine, luca: TestClient) -> None:
    page = _page(luca, **PERIOD)
    charts = _charts(page)
    assert set(charts) == {
        "grafico-conversazioni",
        "grafico-messaggi",
        "grafico-esiti",
        "grafico-argomenti",
        "grafico-voti",
        "grafico-confidenza",
    }
    assert charts["grafico-esiti"]["series"] == [{"label": "Quota delle domande", "data": [50.0, 16.7, 16.7, 16.7]}]
    assert charts["grafico-esiti"]["unit"] == "%"
    assert charts["grafico-confidenza"]["series"] == [{"label": "Domande", "data": [1, 0, 0, 1, 0, 1, 0, 1, 0, 1]}]
    assert charts["grafico-conversazioni"]["labels"] == ["02/03", "03/03"]
    assert charts["grafico-messaggi"]["series"] == [
        {"label": "REST", "data": [4, 2]},
        {"label": "Telegram", "data": [3, 0]},
        {"label": "chat web", "data": [3, 0]},
    ]
    for chart_id in charts:
        canvas = re.search(rf'<canvas id="{chart_id}" data-grafico="{chart_id}" role="img" aria-label="([^"]+)"', page)
        assert canvas and "tabella" in canvas.group(1), chart_id  # its name says where the data is
    esiti = re.search(r'id="grafico-esiti"[^>]*aria-label="([^"]+)"', page)
    assert esiti and "risposta diretta 50%" in html.unescape(esiti.group(1))
    # Chart.js comes from the vendored copy, the charts from the console's own file.
    for path in ("/static/vendor/chart.js-4.6.1/chart.umd.min.js", "/static/console/dashboard.js"):
        assert f'<script src="{path}" defer></script>' in page
        assert luca.get(path).status_code == 200
    assert luca.get("/static/vendor/chart.js-4.6.1/LICENSE.md").status_code == 200


def test_the_page_keeps_the_consoles_content_security_policy(seeded: Engine, luca: TestClient) -> None:
    response = luca.get("/console/cruscotto", params=PERIOD, headers=HTML)
    assert response.headers["content-security-policy"] == CSP
    scripts = re.findall(r"<script([^>]*)>", response.text)
    # Every script is a file of this site, but the data block, which browsers never run.
    assert all('src="/static/' in attrs or attrs == ' type="application/json" id="dati-grafici"' for attrs in scripts)
    assert " style=" not in response.text


def test_every_table_links_its_csv_and_the_link_works(seeded: Engine, luca: TestClient) -> None:
    links = _CSV_LINKS.findall(_page(luca, **PERIOD))
    assert len(links) == len(metrics.TABLE_NAMES)
    for link in links:
        response = luca.get(html.unescape(link))
        assert response.status_code == 200, link
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert response.text.startswith("\ufeff")
    esiti = luca.get("/console/cruscotto/esiti.csv", params=PERIOD)
    expected = 'attachment; filename="sportello-esiti-2026-03-02-2026-03-03.csv"'
    assert esiti.headers["content-disposition"] == expected
    assert esiti.text.startswith("\ufeffEsito;Codice;Messaggi;Quota sulle domande\r\n")
    assert "risposta diretta;answered;3;0,5\r\n" in esiti.text
    assert "02/03/2026" not in luca.get("/console/cruscotto/traffico.csv", params=PERIOD).text  # ISO dates in CSV


def test_csv_of_an_unknown_table_or_period(seeded: Engine, luca: TestClient) -> None:
    missing = luca.get("/console/cruscotto/segreti.csv", headers=JSON)
    assert missing.status_code == 404 and error_detail(missing) == NO_TABLE
    backwards = luca.get("/console/cruscotto/esiti.csv", params={"dal": "2026-03-10", "al": "2026-03-01"}, headers=JSON)
    assert backwards.status_code == 400 and error_detail(backwards) == BAD_PERIOD


def test_the_period_filters_the_page(seeded: Engine, luca: TestClient) -> None:
    page = _page(luca, dal=DAY2.isoformat(), al=DAY2.isoformat())
    assert _figure(page, "Conversazioni") == "1" and _figure(page, "Ticket aperti") == "1"
    assert "perso" not in page  # the dropped events were on the first day
    empty = _page(luca, dal="01/01/2025", al="31/01/2025")  # typed by hand, Italian style
    assert 'value="2025-01-01"' in empty and 'value="2025-01-31"' in empty
    assert "Nessuna conversazione nel periodo." in empty and "<canvas" not in empty
    assert _figure(empty, "Contenimento") == "—"


def test_without_dates_the_last_30_days(seeded: Engine, luca: TestClient) -> None:
    start, end = metrics.default_period()
    page = _page(luca)
    assert f'value="{start.isoformat()}"' in page and f'value="{end.isoformat()}"' in page
    assert (end - start).days == 29


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"dal": "2026-03-10", "al": "2026-03-01"}, BAD_PERIOD),
        ({"dal": "2020-01-01", "al": "2026-01-01"}, BAD_PERIOD),
        ({"dal": "ieri"}, BAD_DATE),
        ({"al": "31/02/2026"}, BAD_DATE),
    ],
)
def test_an_impossible_period_is_explained(luca: TestClient, params: dict[str, str], message: str) -> None:
    response = luca.get("/console/cruscotto", params=params, headers=HTML)
    assert response.status_code == 400
    assert html.escape(message, quote=True) in response.text or message in html.unescape(response.text)
    assert "<canvas" not in response.text and 'name="dal"' in response.text  # the form, to fix it


def test_topic_ids_when_the_knowledge_base_does_not_parse(
    app: FastAPI, seeded: Engine, luca: TestClient, tmp_path: Path
) -> None:
    broken = tmp_path / "kb"
    broken.mkdir()
    (broken / "01_rotto.yml").write_text("topics: [rotto\n", encoding="utf-8")
    app.dependency_overrides[knowledge_base] = lambda: KnowledgeBase(broken)
    try:
        rows = _rows(_page(luca, **PERIOD), "tabella-argomenti")
    finally:
        app.dependency_overrides.pop(knowledge_base)
    assert rows[0][0] == "buoni_pasto"


def test_the_menu_links_the_dashboard_for_everyone_and_the_rest_for_administrators(
    app: FastAPI, luca: TestClient, engine: Engine, settings: Settings, admin: Operator
) -> None:
    page = _page(luca)
    assert 'href="/console/cruscotto" aria-current="page"' in page
    assert 'href="/console/revisione"' not in page and 'href="/console/cancellazione"' not in page
    with TestClient(app) as marta:
        sign_in(marta, engine, settings, admin)
        queue = marta.get("/console/coda", headers=HTML).text
        assert all(f'href="/console/{p}"' in queue for p in ("cruscotto", "revisione", "cancellazione"))


def test_italian_number_formats() -> None:
    assert number_it(1234) == "1.234" and number_it(2.5) == "2,5" and number_it(60.0) == "60"
    assert number_it(1234.56) == "1.234,6" and number_it(None) == "—" and number_it(0.04) == "0"
    assert share_it(0.5) == "50%" and share_it(0.1667) == "16,7%" and share_it(None) == "—"


def test_the_period_read_from_the_form() -> None:
    today = date(2026, 3, 31)
    assert (read_period("", "", today).start, read_period("", "", today).end) == (date(2026, 3, 2), today)
    assert read_period("2026-03-01", "", today).end == date(2026, 3, 30)  # 30 days from a lone start
    assert read_period("", "2026-03-30", today).start == date(2026, 3, 1)
    assert read_period(" 02/03/2026 ", "03/03/2026").days == 2
    assert read_period(DAY1.isoformat(), DAY2.isoformat()).start == DAY1
    with pytest.raises(InvalidPeriod):
        read_period("1999-12-31", "2000-01-05")
