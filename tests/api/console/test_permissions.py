"""Every console route: no session → 401 (a browser: the login page), an operatore on an
administrator's route → 403, a POST without the session's CSRF token → 403, and the
right session gets through. The list of routes is checked against the app's in
tests/api/test_auth.py."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.console import canned, events
from api.console.auth import ADMINS_ONLY, CSRF_FAILED, LOGIN_REQUIRED
from api.console.sessions import COOKIE_NAME
from api.operators.models import Operator
from api.settings import Settings
from tests.api.console.support import CONSOLE_ROUTES, HTML, JSON, ConsoleRoute, FakeRasa, make_operator, sign_in
from tests.api.support import error_detail

ADMIN_ROUTES = [route for route in CONSOLE_ROUTES if route.admin]
POSTS = [route for route in CONSOLE_ROUTES if route.method == "POST"]


def _ids(routes: list[ConsoleRoute] | tuple[ConsoleRoute, ...]) -> list[str]:
    return [route.id for route in routes]


@pytest.fixture
def url(engine: Engine, ticket: str) -> Any:
    """route -> its URL, with a ticket, a third operator and a canned reply to act on."""
    other = make_operator(engine, "terzo", "Terzo")
    with Session(engine) as session:
        reply_id = canned.save(session, "Documenti", "Mandaci la busta paga.").id

    def fill(route: ConsoleRoute) -> str:
        return route.path.format(number=ticket, operator_id=other.id, reply_id=reply_id, tabella="esiti")

    return fill


@pytest.mark.parametrize("route", CONSOLE_ROUTES, ids=_ids(CONSOLE_ROUTES))
def test_without_a_session(client: TestClient, url: Any, route: ConsoleRoute) -> None:
    form = route.form or None
    # A program: 401, as a problem.
    response = client.request(route.method, url(route), data=form, headers=JSON)
    assert response.status_code == 401
    assert error_detail(response) == LOGIN_REQUIRED
    # A browser: the login page, and back here afterwards.
    page = client.request(route.method, url(route), data=form, headers=HTML, follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/console/login?next=%2Fconsole")
    # htmx: 401, and htmx takes the whole page to the login.
    fragment = client.request(route.method, url(route), data=form, headers={**HTML, "HX-Request": "true"})
    assert fragment.status_code == 401 and fragment.headers["HX-Redirect"] == "/console/login"
    # A cookie the server never issued (or one of an ended session) is no session.
    client.cookies.set(COOKIE_NAME, "inventato-" * 4)
    assert client.request(route.method, url(route), data=form, headers=JSON).status_code == 401


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=_ids(ADMIN_ROUTES))
def test_an_operatore_cannot_use_an_administrators_route(
    client: TestClient, engine: Engine, settings: Settings, operatore: Operator, url: Any, route: ConsoleRoute
) -> None:
    csrf = sign_in(client, engine, settings, operatore)
    form = {**route.form, "csrf_token": csrf} if route.method == "POST" else None
    response = client.request(route.method, url(route), data=form, headers=JSON)
    assert response.status_code == 403
    assert error_detail(response) == ADMINS_ONLY
    page = client.request(route.method, url(route), data=form, headers=HTML)
    assert page.status_code == 403 and "riservata agli amministratori" in page.text


@pytest.mark.parametrize("route", POSTS, ids=_ids(POSTS))
def test_a_post_without_the_sessions_csrf_token_is_refused(
    app: Any, client: TestClient, engine: Engine, settings: Settings, admin: Operator, url: Any, route: ConsoleRoute
) -> None:
    with TestClient(app) as other_browser:
        foreign = sign_in(other_browser, engine, settings, make_operator(engine, "altra", "Altra"))
    sign_in(client, engine, settings, admin)
    # No token, an empty or invented one, another session's: in the form or in the header.
    for token in (None, "", "sbagliato", foreign):
        form = dict(route.form) if token is None else {**route.form, "csrf_token": token}
        response = client.post(url(route), data=form, headers=JSON)
        assert response.status_code == 403, token
        assert error_detail(response) == CSRF_FAILED
        as_header = client.post(url(route), data=route.form, headers={**JSON, "X-CSRF-Token": token or ""})
        assert as_header.status_code == 403, token


@pytest.mark.parametrize("route", CONSOLE_ROUTES, ids=_ids(CONSOLE_ROUTES))
def test_an_administrator_with_the_token_gets_through(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    admin: Operator,
    rasa: FakeRasa,
    url: Any,
    route: ConsoleRoute,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(events, "_session_end", lambda *_: None)  # the live feed ends at once
    csrf = sign_in(client, engine, settings, admin)
    form = {**route.form, "csrf_token": csrf} if route.method == "POST" else None
    response = client.request(route.method, url(route), data=form, headers=HTML, follow_redirects=False)
    assert response.status_code in (200, 303, 400, 409), response.text  # 400/409: refused for a reason of its own
    assert "Accesso richiesto" not in response.text and CSRF_FAILED not in response.text


@pytest.mark.parametrize(
    "route", [r for r in CONSOLE_ROUTES if not r.admin], ids=_ids([r for r in CONSOLE_ROUTES if not r.admin])
)
def test_an_operatore_gets_through_the_operators_routes(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    operatore: Operator,
    rasa: FakeRasa,
    url: Any,
    route: ConsoleRoute,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(events, "_session_end", lambda *_: None)
    csrf = sign_in(client, engine, settings, operatore)
    form = {**route.form, "csrf_token": csrf} if route.method == "POST" else None
    response = client.request(route.method, url(route), data=form, headers=HTML, follow_redirects=False)
    assert response.status_code in (200, 303, 400, 409), response.text


def test_the_login_page_is_public(client: TestClient) -> None:
    page = client.get("/console/login", headers=HTML)
    assert page.status_code == 200 and 'autocomplete="current-password"' in page.text
