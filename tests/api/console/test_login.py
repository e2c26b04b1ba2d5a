"""The login form: its own CSRF protection, the durable rate limit, where it leads,
and the password an administrator's reset forces to change."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from api.console import ratelimit
from api.console.login import FORM_EXPIRED, WRONG_CREDENTIALS
from api.console.models import ConsoleSession, LoginFailure
from api.console.sessions import COOKIE_NAME
from api.main import create_app
from api.models import utcnow
from api.operators import crud
from api.operators.models import Operator
from api.settings import Settings
from tests.api.console.support import HTML, JSON, PASSWORD, form_token, log_in, sign_in
from tests.api.support import error_detail


def test_the_right_password_opens_the_console(client: TestClient, operatore: Operator) -> None:
    response = log_in(client, "LUCA")
    assert response.status_code == 303 and response.headers["location"] == "/console/coda"
    queue = client.get("/console/coda", headers=HTML)
    assert queue.status_code == 200 and "Coda delle richieste" in queue.text and "Luca" in queue.text


@pytest.mark.parametrize(("username", "password"), [("luca", "password-sbagliata"), ("nessuno", PASSWORD)])
def test_a_wrong_login_says_the_same_whatever_was_wrong(
    client: TestClient, operatore: Operator, username: str, password: str
) -> None:
    response = log_in(client, username, password)
    assert response.status_code == 401
    assert WRONG_CREDENTIALS in response.text and f"{COOKIE_NAME}=" not in response.headers.get("set-cookie", "")


def test_a_disabled_operator_cannot_log_in(client: TestClient, engine: Engine, operatore: Operator) -> None:
    with Session(engine) as db:
        crud.set_active(db, db.get(Operator, operatore.id), False, by=None)  # type: ignore[arg-type]
    assert log_in(client, "luca").status_code == 401


@pytest.mark.parametrize("token", [None, "", "inventato"], ids=["nessun token", "token vuoto", "token inventato"])
def test_the_login_form_needs_its_token(client: TestClient, operatore: Operator, token: str | None) -> None:
    client.get("/console/login", headers=HTML)
    form = {"username": "luca", "password": PASSWORD} | ({} if token is None else {"csrf_token": token})
    response = client.post("/console/login", data=form, headers=HTML)
    assert response.status_code == 403 and FORM_EXPIRED in response.text


def test_a_token_without_its_cookie_is_refused(client: TestClient, operatore: Operator) -> None:
    # What a cross-site form would send: a token it read somewhere, not the victim's cookie.
    token = form_token(client.get("/console/login", headers=HTML).text)
    client.cookies.clear()
    response = client.post("/console/login", data={"username": "luca", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 403


def test_the_token_cookie_is_httponly_strict_and_scoped_to_the_login(client: TestClient) -> None:
    cookie = client.get("/console/login", headers=HTML).headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/console/login" in cookie


@pytest.mark.parametrize(
    ("next_url", "lands"),
    [
        ("/console/operatori", "/console/operatori"),
        ("/console/ticket/SW-2026-000001?esito=x", "/console/ticket/SW-2026-000001?esito=x"),
        ("https://altro.example/console", "/console/coda"),
        ("//altro.example/console", "/console/coda"),
        ("/api/v1/tickets", "/console/coda"),
        ("/console/login", "/console/coda"),
    ],
)
def test_after_the_login_only_a_console_page_of_this_site(
    client: TestClient, operatore: Operator, next_url: str, lands: str
) -> None:
    page = client.get("/console/login", params={"next": next_url}, headers=HTML)
    form = {"username": "luca", "password": PASSWORD, "csrf_token": form_token(page.text), "next": next_url}
    response = client.post("/console/login", data=form, headers=HTML, follow_redirects=False)
    assert response.headers["location"] == lands


def _fail(client: TestClient, times: int, username: str = "luca") -> None:
    for _ in range(times):
        assert log_in(client, username, "password-sbagliata").status_code == 401


def test_too_many_failures_block_even_the_right_password(client: TestClient, operatore: Operator) -> None:
    _fail(client, 5)
    response = log_in(client, "luca")
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
    assert "Troppi tentativi di accesso non riusciti: riprova tra 15 min." in response.text
    assert f"{COOKIE_NAME}=" not in response.headers.get("set-cookie", "")


def test_the_limit_is_per_username_and_address(app: FastAPI, client: TestClient, engine: Engine) -> None:
    crud_operator = Session(engine, expire_on_commit=False)
    crud.create_operator(crud_operator, username="anna", display_name="Anna", password=PASSWORD)
    crud_operator.close()
    _fail(client, 5, "luca")  # an unknown name is limited just the same
    assert log_in(client, "luca").status_code == 429
    assert log_in(client, "anna").status_code == 303
    with TestClient(app, client=("203.0.113.7", 50000)) as elsewhere:
        _fail(elsewhere, 5, "anna")
        assert log_in(elsewhere, "anna").status_code == 429
    client.cookies.clear()
    assert log_in(client, "anna").status_code == 303  # her own desk is not locked out


def test_the_limit_survives_a_restart(settings: Settings, operatore: Operator, client: TestClient) -> None:
    _fail(client, 5)
    with TestClient(create_app(settings)) as restarted:
        assert log_in(restarted, "luca").status_code == 429


def test_the_window_slides(engine: Engine, settings: Settings) -> None:
    limit = ratelimit.LoginLimit.of(settings)
    start = utcnow()
    with Session(engine) as db:
        for minute in range(5):
            ratelimit.record_failure(db, "luca", "1.2.3.4", limit, now=start + timedelta(minutes=minute))
        assert ratelimit.retry_after(db, "luca", "1.2.3.4", limit, now=start + timedelta(minutes=5)) == 10 * 60
        # When the oldest failure leaves the window, one more attempt is allowed.
        assert ratelimit.retry_after(db, "luca", "1.2.3.4", limit, now=start + timedelta(minutes=15, seconds=1)) == 0
        # Old rows are pruned by the next failure.
        ratelimit.record_failure(db, "x", "y", limit, now=start + timedelta(hours=1))
        assert db.scalar(select(func.count()).select_from(LoginFailure)) == 1


def test_a_success_clears_the_failures(client: TestClient, operatore: Operator, engine: Engine) -> None:
    _fail(client, 4)
    assert log_in(client, "luca").status_code == 303
    with Session(engine) as db:
        assert db.scalar(select(func.count()).select_from(LoginFailure)) == 0


def test_a_temporary_password_must_be_changed_first(client: TestClient, engine: Engine, operatore: Operator) -> None:
    with Session(engine) as db:
        temporary = crud.reset_password(db, db.get(Operator, operatore.id))  # type: ignore[arg-type]
    response = log_in(client, "luca", temporary)
    assert response.headers["location"] == "/console/password"
    assert client.get("/console/coda", headers=HTML, follow_redirects=False).headers["location"] == "/console/password"
    assert error_detail(client.get("/console/coda", headers=JSON)) == "Prima di continuare scegli una nuova password."
    assert client.get("/api/v1/tickets").status_code == 403  # the ticket API too
    page = client.get("/console/password", headers=HTML)
    assert "Hai una password temporanea" in page.text
    form = {
        "csrf_token": form_token(page.text),
        "current": temporary,
        "new": "una nuova frase segreta",
        "confirm": "una nuova frase segreta",
    }
    changed = client.post("/console/password", data=form, headers=HTML, follow_redirects=False)
    assert changed.headers["location"] == "/console/coda?esito=password"
    assert "Password cambiata." in client.get("/console/coda?esito=password", headers=HTML).text


def test_changing_the_password_ends_the_other_sessions(
    client: TestClient, app: FastAPI, engine: Engine, settings: Settings, operatore: Operator
) -> None:
    with TestClient(app) as other_browser:
        sign_in(other_browser, engine, settings, operatore)
        csrf = sign_in(client, engine, settings, operatore)
        form = {
            "csrf_token": csrf,
            "current": PASSWORD,
            "new": "una nuova frase segreta",
            "confirm": "una nuova frase segreta",
        }
        assert client.post("/console/password", data=form, headers=HTML, follow_redirects=False).status_code == 303
        assert other_browser.get("/console/coda", headers=JSON).status_code == 401
        assert client.get("/console/coda", headers=JSON).status_code == 200
    with Session(engine) as db:
        assert db.scalar(select(func.count()).select_from(ConsoleSession)) == 1


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        (
            "sbagliata-davvero",
            "una nuova frase segreta",
            "una nuova frase segreta",
            "La password attuale non è corretta.",
        ),
        (PASSWORD, "una nuova frase segreta", "un'altra frase segreta", "Le due nuove password non coincidono."),
        (PASSWORD, "corta", "corta", "La password deve avere almeno 12 caratteri."),
    ],
)
def test_a_refused_password_change_says_why(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    operatore: Operator,
    current: str,
    new: str,
    confirm: str,
    message: str,
) -> None:
    csrf = sign_in(client, engine, settings, operatore)
    form = {"csrf_token": csrf, "current": current, "new": new, "confirm": confirm}
    response = client.post("/console/password", data=form, headers=HTML)
    assert response.status_code == 400 and message.replace("'", "&#39;") in response.text
