"""The console's routers and files, as api/main.py installs them (`install_console(app)`).

Every router but the login's declares `require_csrf` (a session, and on POST the CSRF
token) or `require_admin` at router level; tests/api/console/test_permissions.py lists
every route of the app and fails on one it does not test.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from api.console import admin, dashboard, erasure, events, login, queue, review, ticket
from api.console.auth import ConsoleError
from api.console.pages import console_error_handler
from api.routes.widget import STATIC_DIR, PublicStaticFiles

STATIC_PATH = "/static/console"
# Unversioned file names: browsers revalidate each time (ETag), so a deploy shows at once.
STATIC_CACHE = "public, no-cache"

router = APIRouter(include_in_schema=False)
for part in (
    login.public_router,
    login.router,
    queue.router,
    ticket.router,
    events.router,
    admin.router,
    dashboard.router,
    review.router,
    erasure.router,
):
    router.include_router(part)


def install_console(app: FastAPI) -> None:
    """The console's pages under /console, its files under /static/console, its error pages."""
    app.include_router(router)
    app.mount(STATIC_PATH, PublicStaticFiles(directory=STATIC_DIR / "console", cache_control=STATIC_CACHE))
    app.add_exception_handler(ConsoleError, console_error_handler)
