"""Administrators' pages: operator accounts and canned replies."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from api.console.models import CannedReply
from api.operators.models import Operator
from api.settings import Settings
from tests.api.console.support import HTML, JSON, PASSWORD, log_in, sign_in


@pytest.fixture
def marta(client: TestClient, engine: Engine, settings: Settings, admin: Operator) -> tuple[TestClient, str]:
    return client, sign_in(client, engine, settings, admin)


def _post(client: TestClient, url: str, csrf: str, **form: str) -> Any:
    return client.post(url, data={"csrf_token": csrf, **form}, headers=HTML, follow_redirects=False)


def test_the_menu_shows_the_administrators_pages_to_administrators_only(
    app: FastAPI, marta: tuple[TestClient, str], engine: Engine, settings: Settings, operatore: Operator
) -> None:
    client, _ = marta
    assert 'href="/console/operatori"' in client.get("/console/coda", headers=HTML).text
    with TestClient(app) as luca:
        sign_in(luca, engine, settings, operatore)
        assert 'href="/console/operatori"' not in luca.get("/console/coda", headers=HTML).text


def test_add_an_operator_who_must_then_choose_a_password(
    app: FastAPI, marta: tuple[TestClient, str], engine: Engine
) -> None:
    client, csrf = marta
    form = {"username": "Giulia.B", "display_name": "Giulia", "password": PASSWORD, "role": "operatore"}
    response = _post(client, "/console/operatori", csrf, **form)
    assert response.headers["location"] == "/console/operatori?esito=creato"
    page = client.get("/console/operatori?esito=creato", headers=HTML).text
    assert "Operatore aggiunto." in page and "giulia.b" in page and "(password da cambiare)" in page
    with TestClient(app) as giulia:
        assert log_in(giulia, "giulia.b").headers["location"] == "/console/password"


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"username": "marta.admin", "display_name": "X", "password": PASSWORD}, "Esiste già un operatore"),
        ({"username": "x", "display_name": "X", "password": PASSWORD}, "Nome utente non valido"),
        ({"username": "nuovo", "display_name": "X", "password": "corta"}, "almeno 12 caratteri"),
        ({"username": "nuovo", "display_name": "X", "password": PASSWORD, "role": "capo"}, "Scegli un ruolo"),
    ],
)
def test_a_refused_operator_says_why_and_keeps_the_form(
    marta: tuple[TestClient, str], form: dict[str, str], message: str
) -> None:
    client, csrf = marta
    response = _post(client, "/console/operatori", csrf, **form)
    assert response.status_code == 400
    text = html.unescape(response.text)
    assert message in text and f'value="{form["username"]}"' in text and PASSWORD not in text


def test_disable_ends_the_operators_sessions_and_enable_lets_them_back(
    app: FastAPI, marta: tuple[TestClient, str], engine: Engine, settings: Settings, operatore: Operator
) -> None:
    client, csrf = marta
    with TestClient(app) as luca:
        sign_in(luca, engine, settings, operatore)
        assert _post(client, f"/console/operatori/{operatore.id}/disattiva", csrf).status_code == 303
        assert luca.get("/console/coda", headers=JSON).status_code == 401
        assert log_in(luca, "luca").status_code == 401
        assert "disattivato" in client.get("/console/operatori", headers=HTML).text
        _post(client, f"/console/operatori/{operatore.id}/riattiva", csrf)
        assert log_in(luca, "luca").status_code == 303


def test_an_administrator_cannot_disable_themselves(marta: tuple[TestClient, str], admin: Operator) -> None:
    client, csrf = marta
    assert f"/console/operatori/{admin.id}/disattiva" not in client.get("/console/operatori", headers=HTML).text
    response = _post(client, f"/console/operatori/{admin.id}/disattiva", csrf)
    assert response.status_code == 409 and "Non puoi disattivare il tuo account" in response.text


def test_a_reset_shows_the_temporary_password_once(
    app: FastAPI, marta: tuple[TestClient, str], operatore: Operator
) -> None:
    client, csrf = marta
    response = _post(client, f"/console/operatori/{operatore.id}/password", csrf)
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    match = re.search(r'<code class="segreto">([^<]+)</code>', response.text)
    assert match is not None
    assert match.group(1) not in client.get("/console/operatori", headers=HTML).text
    with TestClient(app) as luca:
        assert log_in(luca, "luca").status_code == 401  # the old password no longer works
        assert log_in(luca, "luca", match.group(1)).headers["location"] == "/console/password"


def test_unknown_operators_and_replies_are_404(marta: tuple[TestClient, str]) -> None:
    client, csrf = marta
    assert _post(client, "/console/operatori/9999/disattiva", csrf).status_code == 404
    assert client.get("/console/risposte/9999", headers=HTML).status_code == 404


def test_canned_replies_create_edit_delete(marta: tuple[TestClient, str], engine: Engine) -> None:
    client, csrf = marta
    created = _post(client, "/console/risposte", csrf, titolo="Documenti", testo="Mandaci la busta paga.")
    assert created.headers["location"] == "/console/risposte?esito=salvata"
    with Session(engine) as db:
        reply_id = db.scalars(select(CannedReply.id)).one()
    edit = client.get(f"/console/risposte/{reply_id}", headers=HTML).text
    assert "Modifica «Documenti»" in html.unescape(edit) and "Mandaci la busta paga." in edit
    _post(
        client,
        f"/console/risposte/{reply_id}",
        csrf,
        titolo="Documenti utili",
        testo="Mandaci le ultime due buste paga.",
    )
    page = client.get("/console/risposte", headers=HTML).text
    assert "Documenti utili" in page and "ultime due buste paga" in page
    duplicate = _post(client, "/console/risposte", csrf, titolo="Documenti utili", testo="Altro")
    assert duplicate.status_code == 400 and "Esiste già una risposta pronta" in html.unescape(duplicate.text)
    empty = _post(client, "/console/risposte", csrf, titolo="Vuota", testo=" ")
    assert empty.status_code == 400
    _post(client, f"/console/risposte/{reply_id}/elimina", csrf)
    assert "Nessuna risposta pronta" in client.get("/console/risposte", headers=HTML).text
