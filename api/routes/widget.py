"""The embeddable chat widget: its static files and a demo page at "/" (no authentication).

The widget (api/static/widget/) talks to the Rasa server's web chat channel
(bot/channels/webchat.py); this app only serves its files. They are loaded by other
sites (the widget's modules with `import()`, i.e. in CORS mode), so they carry
`Access-Control-Allow-Origin: *`: they are public and hold no data.
"""

from __future__ import annotations

import base64
import hashlib
import html
import os
import re
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from api.deps import SettingsDep
from api.settings import Settings

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
DEMO_TEMPLATE = STATIC_DIR / "demo" / "index.html"
WIDGET_PATH = "/static/widget"
VENDOR_PATH = "/static/vendor"
# Unversioned URLs (the one employers embed): browsers revalidate each time (ETag).
WIDGET_CACHE = "public, no-cache"
# Vendored libraries live in folders named after their version: they never change.
VENDOR_CACHE = "public, max-age=31536000, immutable"

router = APIRouter(include_in_schema=False)


class PublicStaticFiles(StaticFiles):
    """Static files with the headers an embeddable script needs."""

    def __init__(self, *, directory: Path, cache_control: str) -> None:
        super().__init__(directory=directory)
        self.cache_control = cache_control

    def file_response(
        self, full_path: str | os.PathLike[str], stat_result: os.stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = self.cache_control
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def _server_url(request: Request, settings: Settings) -> str:
    configured = settings.webchat_server_url.strip().rstrip("/")
    if configured:
        return configured
    host = request.url.hostname or ""
    if ":" in host and re.fullmatch(r"[0-9A-Fa-f:.]+", host):  # IPv6 literal
        host = f"[{host}]"
    elif not re.fullmatch(r"[A-Za-z0-9.-]+", host):  # the Host header is the client's word
        host = "127.0.0.1"
    scheme = "https" if request.url.scheme == "https" else "http"
    return f"{scheme}://{host}:{settings.rasa_port}"


def _websocket_url(http_url: str) -> str:
    return re.sub(r"^http", "ws", http_url)


def _style_hash(page: str) -> str:
    """CSP hash of the page's one inline <style>, so no 'unsafe-inline' is needed."""
    match = re.search(r"<style>(.*?)</style>", page, re.DOTALL)
    digest = hashlib.sha256(match.group(1).encode() if match else b"").digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


@lru_cache(maxsize=1)
def _template() -> str:
    return DEMO_TEMPLATE.read_text(encoding="utf-8")


@router.get("/", response_class=HTMLResponse)
def demo_page(request: Request, settings: SettingsDep) -> HTMLResponse:
    """Italian demo page: the widget in use and how to embed it."""
    server = _server_url(request, settings)
    widget_url = f"{str(request.base_url).rstrip('/')}{WIDGET_PATH}/sportello-widget.js"
    page = (
        _template()
        .replace("{{server}}", html.escape(server, quote=True))
        .replace("{{widget_url}}", html.escape(widget_url, quote=True))
    )
    # The demo runs under a strict policy, to show that the widget needs nothing inline.
    csp = (
        "default-src 'self'; "
        f"connect-src 'self' {server} {_websocket_url(server)}; "
        f"style-src 'self' {_style_hash(page)}; "
        "script-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    headers = {
        # The page names the host it was asked for: never keep it in a shared cache.
        "Cache-Control": "no-store",
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
    }
    return HTMLResponse(page, headers=headers)


def install_widget(app: FastAPI) -> None:
    """The demo page at "/" and the widget's files under /static."""
    app.include_router(router)
    app.mount(WIDGET_PATH, PublicStaticFiles(directory=STATIC_DIR / "widget", cache_control=WIDGET_CACHE))
    app.mount(VENDOR_PATH, PublicStaticFiles(directory=STATIC_DIR / "vendor", cache_control=VENDOR_CACHE))
