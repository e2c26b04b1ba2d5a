"""Server-side sessions: the cookie, idle and absolute expiry, logout, one session per login."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from api.console.models import ConsoleSession
from api.console.sessions import COOKIE_NAME, TOUCH_EVERY, Lifetimes, find_session, open_session, session_key
from api.main import create_app
from api.models import utcnow
from api.operators.models import Operator
from api.settings import Settings
from tests.api.console.support import HTML, JSON, PASSWORD, form_token, log_in, sign_in
from tests.api.support import TOKEN

LIFETIMES = Lifetimes(idle=timedelta(minutes=30), absolute=timedelta(hours=10))


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


def test_the_cookie_holds_only_a_random_value_and_the_database_only_its_hash(db: Session, operatore: Operator) -> None:
    token, opened = open_session(db, operatore, LIFETIMES)
    assert len(token) >= 43  # 32 random bytes, base64
    row = db.get(ConsoleSession, opened.key)
    assert row is not None and row.id == session_key(token) != token
    assert db.get(ConsoleSession, token) is None


def test_idle_expiry(db: Session, operatore: Operator) -> None:
    start = utcnow()
    token, _ = open_session(db, operatore, LIFETIMES, now=start)
    assert find_session(db, token, LIFETIMES, now=start + timedelta(minutes=29)) is not None
    # That request moved the idle clock: 29 more minutes are fine, 31 without a request are not.
    assert find_session(db, token, LIFETIMES, now=start + timedelta(minutes=58)) is not None
    assert find_session(db, token, LIFETIMES, now=start + timedelta(minutes=89)) is None
    assert db.scalar(select(func.count()).select_from(ConsoleSession)) == 0  # and it is gone


def test_absolute_expiry_however_active(db: Session, operatore: Operator) -> None:
    start = utcnow()
    token, _ = open_session(db, operatore, LIFETIMES, now=start)
    for minutes in range(20, 10 * 60, 20):  # a request every 20 minutes, up to 9 h 40
        assert find_session(db, token, LIFETIMES, now=start + timedelta(minutes=minutes)) is not None
    assert find_session(db, token, LIFETIMES, now=start + timedelta(hours=10)) is None


def test_the_idle_clock_is_written_at_most_once_a_minute(db: Session, operatore: Operator) -> None:
    start = utcnow()
    token, opened = open_session(db, operatore, LIFETIMES, now=start)
    find_session(db, token, LIFETIMES, now=start + TOUCH_EVERY / 2)
    assert db.get(ConsoleSession, opened.key).last_seen_at == start  # type: ignore[union-attr]
    find_session(db, token, LIFETIMES, now=start + TOUCH_EVERY)
    assert db.get(ConsoleSession, opened.key).last_seen_at == start + TOUCH_EVERY  # type: ignore[union-attr]


def test_a_new_login_purges_expired_sessions(db: Session, operatore: Operator) -> None:
    old = utcnow() - timedelta(hours=11)
    open_session(db, operatore, LIFETIMES, now=old)
    open_session(db, operatore, LIFETIMES)
    assert db.scalar(select(func.count()).select_from(ConsoleSession)) == 1


def test_the_login_sets_a_httponly_samesite_cookie_not_secure_in_development(
    client: TestClient, operatore: Operator
) -> None:
    response = log_in(client, "luca")
    assert response.status_code == 303 and response.headers["location"] == "/console/coda"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # development runs on http://127.0.0.1


def test_outside_development_the_cookie_is_secure(settings: Settings, operatore: Operator) -> None:
    production = Settings(
        env="production", var_dir=settings.var_dir, database_url=settings.database_url, service_token=SecretStr(TOKEN)
    )
    with TestClient(create_app(production), base_url="https://console.example") as client:
        response = log_in(client, "luca")
    assert response.status_code == 303
    assert "Secure" in response.headers["set-cookie"]


def test_logout_ends_the_session_on_the_server(
    client: TestClient, engine: Engine, settings: Settings, operatore: Operator
) -> None:
    csrf = sign_in(client, engine, settings, operatore)
    cookie = client.cookies[COOKIE_NAME]
    response = client.post("/console/logout", data={"csrf_token": csrf}, headers=HTML, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/console/login?esito=uscita"
    assert f'{COOKIE_NAME}=""' in response.headers["set-cookie"] and "Max-Age=0" in response.headers["set-cookie"]
    # Even a copy of the old cookie no longer works.
    client.cookies.set(COOKIE_NAME, cookie)
    assert client.get("/console/coda", headers=JSON).status_code == 401
    assert "Sei uscito dalla console." in client.get("/console/login?esito=uscita", headers=HTML).text


def test_a_logged_in_operator_is_sent_from_the_login_page_to_the_queue(client: TestClient, operatore: Operator) -> None:
    log_in(client, "luca")
    response = client.get("/console/login?next=/console/operatori", headers=HTML, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/console/operatori"


def test_a_login_replaces_the_session_it_came_with(client: TestClient, operatore: Operator, engine: Engine) -> None:
    old = log_in(client, "luca").cookies[COOKIE_NAME]
    client.cookies.delete(COOKIE_NAME)
    page = client.get("/console/login", headers=HTML)  # e.g. a login form left open in another tab
    client.cookies.set(COOKIE_NAME, old)
    form = {"username": "luca", "password": PASSWORD, "csrf_token": form_token(page.text)}
    response = client.post("/console/login", data=form, headers=HTML, follow_redirects=False)
    assert response.status_code == 303 and response.cookies[COOKIE_NAME] != old
    with Session(engine) as db:
        assert db.get(ConsoleSession, session_key(old)) is None
        assert db.scalar(select(func.count()).select_from(ConsoleSession)) == 1


def test_an_expired_session_sends_the_browser_to_the_login(
    client: TestClient, engine: Engine, settings: Settings, operatore: Operator
) -> None:
    sign_in(client, engine, settings, operatore)
    with Session(engine) as db:
        row = db.scalars(select(ConsoleSession)).one()
        row.last_seen_at = utcnow() - timedelta(minutes=settings.console_idle_minutes + 1)
        db.commit()
    response = client.get("/console/coda?stato=nuovo", headers=HTML, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/console/login?next=%2Fconsole%2Fcoda%3Fstato%3Dnuovo"
