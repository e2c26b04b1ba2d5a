"""Sanic's own errors on the Rasa server as problem details (sportello.problems).

A path Rasa does not serve (404), a method a route does not take (405) or a request
Sanic itself rejects (too large, malformed) never reaches a channel's handler, so
without this the client got Sanic's HTML or text page instead of the one error shape
every other endpoint of the project gives. The channels install it on the app that
serves them, so it holds under `python -m bot.server` and a bare `rasa run` alike.
"""

from __future__ import annotations

from sanic import Sanic
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.service_requests import problem_response
from sportello.problems import problem

_INSTALLED = "sportello_problem_details"


def problem_for(request: Request, exception: SanicException) -> HTTPResponse:
    status = int(getattr(exception, "status_code", 500) or 500)
    # 5xx texts may carry internals; the client gets the generic Italian detail.
    headers = {str(k): str(v) for k, v in (getattr(exception, "headers", None) or {}).items()}
    return problem_response(problem(status), headers or None)


def install(app: Sanic) -> None:
    """Idempotent: every channel installs it on the app serving it."""
    if getattr(app.ctx, _INSTALLED, False):
        return
    app.error_handler.add(SanicException, problem_for)
    setattr(app.ctx, _INSTALLED, True)
