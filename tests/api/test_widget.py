"""The chat widget's files and demo page, as the API serves them (api/routes/widget.py)."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.main import create_app
from api.routes.widget import STATIC_DIR, _server_url
from api.settings import Settings

WIDGET_FILES = sorted(p.name for p in (STATIC_DIR / "widget").iterdir())
SOCKET_IO = "/static/vendor/socket.io-client-4.8.4/socket.io.esm.min.js"


def test_the_demo_page_embeds_the_widget_with_one_script_tag(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = response.text
    assert '<html lang="it">' in page
    tags = re.findall(r"<script [^>]*></script>", page)
    assert tags == [
        '<script src="http://testserver/static/widget/sportello-widget.js" '
        'data-server="http://testserver:5005" data-privacy-url="#privacy" defer></script>'
    ]
    assert "Come inserirla nel tuo sito" in page and "data-position" in page


def test_the_demo_page_is_never_cached_and_runs_under_a_strict_policy(client: TestClient) -> None:
    response = client.get("/")
    assert response.headers["cache-control"] == "no-store"
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe" not in csp
    assert "connect-src 'self' http://testserver:5005 ws://testserver:5005;" in csp
    style = re.search(r"<style>(.*?)</style>", response.text, re.DOTALL)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert f"style-src 'self' 'sha256-{digest}'" in csp


@pytest.mark.parametrize(
    ("variables", "server"),
    [
        ({"SPORTELLO_WEBCHAT_SERVER_URL": "https://assistente.example.it/"}, "https://assistente.example.it"),
        ({"SPORTELLO_RASA_PORT": "15005"}, "http://testserver:15005"),
    ],
)
def test_the_server_address_can_be_configured(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], server: str
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    configured = Settings(var_dir=settings.var_dir, database_url=settings.database_url)
    with TestClient(create_app(configured)) as client:
        assert f'data-server="{server}"' in client.get("/").text


@pytest.mark.parametrize(
    ("host", "server"),
    [
        ("assistente.local:8000", "http://assistente.local:5005"),
        ("[::1]:8000", "http://[::1]:5005"),
        ('evil"><script>x</script>', "http://127.0.0.1:5005"),  # the Host header is the client's word
    ],
)
def test_the_rasa_address_follows_the_host_the_page_was_asked_for(host: str, server: str) -> None:
    scope = {"type": "http", "scheme": "http", "path": "/", "headers": [(b"host", host.encode())], "query_string": b""}
    settings = Settings(database_url="sqlite://", service_token=SecretStr("x"))
    assert _server_url(Request(scope), settings) == server


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/static/widget/sportello-widget.js", "text/javascript; charset=utf-8"),
        ("/static/widget/app.js", "text/javascript; charset=utf-8"),
        ("/static/widget/sportello-widget.css", "text/css; charset=utf-8"),
        (SOCKET_IO, "text/javascript; charset=utf-8"),
    ],
)
def test_static_files_have_the_right_type(client: TestClient, path: str, content_type: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    assert response.headers["x-content-type-options"] == "nosniff"
    # Other sites import the widget's modules (CORS mode): they are public files.
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["cross-origin-resource-policy"] == "cross-origin"


def test_the_widget_is_revalidated_and_the_vendored_library_cached_for_good(client: TestClient) -> None:
    widget = client.get("/static/widget/sportello-widget.js")
    assert widget.headers["cache-control"] == "public, no-cache"
    again = client.get("/static/widget/sportello-widget.js", headers={"If-None-Match": widget.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    vendor = client.get(SOCKET_IO)
    assert vendor.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "Socket.IO v4.8.4" in vendor.text[:200]
    assert "MIT License" in client.get("/static/vendor/socket.io-client-4.8.4/LICENSE").text


@pytest.mark.parametrize(
    "path",
    ["/static/widget/nessuno.js", "/static/widget/../routes/widget.py", "/static/demo/index.html", "/static/"],
)
def test_nothing_else_is_served(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404


def test_every_module_the_widget_imports_is_served(client: TestClient) -> None:
    for name in WIDGET_FILES:
        source = (STATIC_DIR / "widget" / name).read_text(encoding="utf-8")
        for target in re.findall(r"""(?:from|import\()\s*["'](\.[^"']+)["']""", source):
            path = f"/static/widget/{target.removeprefix('./')}" if target.startswith("./") else None
            if target.startswith("../"):
                path = "/static/" + target.removeprefix("../")
            assert path and client.get(path).status_code == 200, f"{name} importa {target}"
    for target in re.findall(
        r'new URL\("([^"]+)", (?:base|import\.meta\.url)\)',
        "".join((STATIC_DIR / "widget" / n).read_text(encoding="utf-8") for n in WIDGET_FILES),
    ):
        path = "/static/" + target.removeprefix("../") if target.startswith("../") else f"/static/widget/{target}"
        assert client.get(path).status_code == 200, target


@pytest.mark.parametrize("name", [n for n in WIDGET_FILES if n.endswith(".js")])
def test_the_widget_never_parses_text_as_html(name: str) -> None:
    source = (STATIC_DIR / "widget" / name).read_text(encoding="utf-8")
    for forbidden in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert forbidden not in source, f"{name} usa {forbidden}"


def test_the_demo_page_is_not_in_the_api_schema(client: TestClient) -> None:
    assert "/" not in client.get("/openapi.json").json()["paths"]
