"""Rendering the console: Jinja2 templates, Italian formats, security headers, error pages.

Every page goes out with a strict Content-Security-Policy (scripts and styles only from
this origin: htmx runs with `allowEval: false`), `no-store` (pages show personal data)
and no framing. Errors of console routes (`ConsoleError`) become a page for a browser
(the login page for 401) and a problem (RFC 9457, api/errors.py) for htmx and programs.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from api.console.auth import LOGIN_PAGE, PASSWORD_PAGE, ConsoleError, LoginRequired, PasswordChangeRequired
from api.console.markdown import render_markdown
from api.console.sessions import OpenSession
from api.errors import http_error_handler
from api.models import utcnow
from api.tickets.states import LABELS, TicketStatus

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
ROME = ZoneInfo("Europe/Rome")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
CHANNEL_LABELS = {"webchat": "chat web", "telegram": "Telegram", "rest": "REST"}
ERROR_TITLES = {
    400: "Richiesta non valida",
    403: "Accesso negato",
    404: "Non trovato",
    409: "Non è possibile adesso",
    422: "Dati non validi",
    429: "Troppi tentativi",
}


def datetime_it(moment: datetime | str | None) -> str:
    """`02/03/2026 10:15`, Rome time (what the Sportello's clocks say); ISO text is read too."""
    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
        except ValueError:
            return str(moment)
    if moment is None:
        return "—"
    if moment.tzinfo is None:
        return moment.strftime("%d/%m/%Y %H:%M")
    return moment.astimezone(ROME).strftime("%d/%m/%Y %H:%M")


def age_it(moment: datetime | None, now: datetime | None = None) -> str:
    """How long ago, in plain Italian: «3 min», «2 ore», «4 giorni»."""
    if moment is None:
        return "—"
    elapsed = (now or utcnow()) - moment
    if elapsed < timedelta(minutes=1):
        return "meno di 1 min"
    if elapsed < timedelta(hours=1):
        return f"{int(elapsed.total_seconds() // 60)} min"
    if elapsed < timedelta(days=2):
        hours = int(elapsed.total_seconds() // 3600)
        return "1 ora" if hours == 1 else f"{hours} ore"
    return f"{elapsed.days} giorni"


def percent_it(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)}%"


def status_label(status: str | TicketStatus) -> str:
    try:
        return LABELS[TicketStatus(status)]
    except ValueError:
        return str(status)


def channel_label(channel: str) -> str:
    return CHANNEL_LABELS.get(channel, channel)


ROLE_LABELS = {
    "lavoratore": "lavoratore o lavoratrice",
    "datore": "datore di lavoro",
    "socio": "socio o socia di cooperativa",
    "altro": "altro",
}
# What the assistant knew when the user asked for a person (the ticket's last slots).
SLOT_LABELS = {
    "last_faq_question": "Ultima domanda",
    "last_faq_topic": "Argomento proposto",
    "last_answered_topic": "Ultimo argomento risposto",
    "last_faq_confidence": "Fiducia della risposta",
    "misses": "Domande non capite di fila",
}


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role)


templates = Jinja2Templates(directory=TEMPLATES_DIR)
templates.env.filters.update(
    datetime_it=datetime_it,
    age_it=age_it,
    percent_it=percent_it,
    status_label=status_label,
    channel=channel_label,
    markdown=render_markdown,
    role_label=role_label,
)
templates.env.globals.update(status_values=[status.value for status in TicketStatus], slot_labels=SLOT_LABELS)


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    *,
    user: OpenSession | None = None,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """A console page or fragment; `user` adds the navigation and the CSRF token."""
    full = {"user": user, "csrf": user.csrf_token if user else "", "now": utcnow(), **(context or {})}
    response = templates.TemplateResponse(request, name, full, status_code=status_code)
    response.headers.update({**SECURITY_HEADERS, **(headers or {})})
    return response


def redirect(url: str, *, query: Mapping[str, str] | None = None) -> RedirectResponse:
    """303 See Other: after a POST the browser GETs the page (no resubmission on reload)."""
    target = f"{url}?{urlencode(query)}" if query else url
    return RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})


def safe_next(target: str | None) -> str:
    """Where to go after the login: a console page of this site, never elsewhere."""
    default = "/console/coda"
    target = target or ""
    path = target.split("?")[0]
    if not (path == "/console" or path.startswith("/console/")) or "\\" in target:
        return default
    if path in (LOGIN_PAGE, "/console/logout"):
        return default
    return target


def wants_page(request: Request) -> bool:
    """A browser navigating (a link, a form), not htmx nor a program."""
    return "text/html" in request.headers.get("accept", "") and "hx-request" not in request.headers


async def console_error_handler(request: Request, exc: Exception) -> Response:
    error = exc if isinstance(exc, ConsoleError) else ConsoleError(500)
    if isinstance(error, LoginRequired):
        if wants_page(request):
            here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return redirect(LOGIN_PAGE, query={"next": here})
        response = await http_error_handler(request, error)
        if "hx-request" in request.headers:
            response.headers["HX-Redirect"] = LOGIN_PAGE  # htmx takes the whole page there
        return response
    if isinstance(error, PasswordChangeRequired) and wants_page(request):
        return redirect(PASSWORD_PAGE)
    if wants_page(request):
        context = {"title": ERROR_TITLES.get(error.status_code, "Errore"), "message": str(error.detail)}
        return render(request, "error.html", context, status_code=error.status_code, headers=error.headers)
    return await http_error_handler(request, error)
