"""What every console page carries: security headers, Italian formats, error pages."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.console.pages import CSP, age_it, datetime_it, percent_it, safe_next
from api.operators.models import Operator
from api.settings import Settings
from tests.api.console.support import HTML, sign_in


def test_pages_are_not_cached_framed_or_open_to_inline_scripts(
    client: TestClient, engine: Engine, settings: Settings, operatore: Operator
) -> None:
    for response in (client.get("/console/login", headers=HTML), _signed(client, engine, settings, operatore)):
        assert response.headers["content-security-policy"] == CSP
        assert "script-src 'self';" in CSP and "unsafe" not in CSP and "frame-ancestors 'none'" in CSP
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "<script>" not in response.text and " style=" not in response.text


def _signed(client: TestClient, engine: Engine, settings: Settings, operatore: Operator) -> Any:
    sign_in(client, engine, settings, operatore)
    return client.get("/console/coda", headers=HTML)


def test_the_pages_load_htmx_and_the_console_files(client: TestClient) -> None:
    page = client.get("/console/login", headers=HTML).text
    for path in (
        "/static/vendor/htmx-2.0.11/htmx.min.js",
        "/static/vendor/htmx-ext-sse-2.2.4/sse.min.js",
        "/static/console/console.js",
        "/static/console/console.css",
    ):
        assert path in page
        assert client.get(path).status_code == 200, path
    assert '"allowEval": false' in page and '"includeIndicatorStyles": false' in page
    assert client.get("/static/console/nessuno.js").status_code == 404


def test_pages_send_the_csrf_token_with_every_htmx_request(
    client: TestClient, engine: Engine, settings: Settings, operatore: Operator
) -> None:
    csrf = sign_in(client, engine, settings, operatore)
    assert f"hx-headers='{{&#34;X-CSRF-Token&#34;: &#34;{csrf}&#34;}}'" in client.get(
        "/console/coda", headers=HTML
    ).text.replace('"', "&#34;")


def test_italian_formats() -> None:
    winter = datetime(2026, 1, 15, 9, 5, tzinfo=timezone.utc)
    summer = datetime(2026, 7, 15, 9, 5, tzinfo=timezone.utc)
    assert datetime_it(winter) == "15/01/2026 10:05" and datetime_it(summer) == "15/07/2026 11:05"
    assert datetime_it("2026-03-02T09:14:00Z") == "02/03/2026 10:14" and datetime_it(None) == "—"
    now = winter
    assert age_it(now - timedelta(seconds=20), now) == "meno di 1 min"
    assert age_it(now - timedelta(minutes=42), now) == "42 min"
    assert age_it(now - timedelta(hours=1, minutes=5), now) == "1 ora"
    assert age_it(now - timedelta(hours=30), now) == "30 ore"
    assert age_it(now - timedelta(days=4), now) == "4 giorni"
    assert percent_it(0.834) == "83%" and percent_it(None) == "—"


@pytest.mark.parametrize(
    ("target", "safe"),
    [
        ("/console/ticket/SW-2026-000001", "/console/ticket/SW-2026-000001"),
        ("", "/console/coda"),
        ("//evil.example", "/console/coda"),
        ("/console\\@evil", "/console/coda"),
        ("/consolefake", "/console/coda"),
        ("/console?x=1", "/console?x=1"),
    ],
)
def test_safe_next(target: str, safe: str) -> None:
    assert safe_next(target) == safe


def test_markdown_is_shown_as_the_user_saw_it_and_never_as_html() -> None:
    from api.console.markdown import render_markdown

    assert (
        render_markdown("I buoni sono esenti fino a **8 €**.")
        == "<p>I buoni sono esenti fino a <strong>8 €</strong>.</p>"
    )
    link = render_markdown("Leggi l'[informativa](https://esempio.it/privacy).")
    assert '<a href="https://esempio.it/privacy" rel="noopener noreferrer" target="_blank">informativa</a>' in link
    assert render_markdown("- uno\n- due") == "<ul><li>uno</li><li>due</li></ul>"
    hostile = render_markdown("<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>")
    assert "<script>" not in hostile and "<img" not in hostile and 'href="javascript' not in hostile
