"""The Rasa server's routes for trusted services: one way to authenticate, read and refuse.

The bridge channel, the web chat's push route and the operator routes all take a JSON
body from a service holding the service token. Here is how such a request is checked
(bearer token in constant time, a JSON object, a pydantic model) and how every refusal
is written: an RFC 9457 problem with an Italian detail (sportello/problems.py).
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from sportello.auth import bearer_token_matches
from sportello.problems import MEDIA_TYPE, field_error, invalid_request, problem

UNAUTHORIZED = "Autenticazione richiesta: token di servizio mancante o non valido."
NOT_JSON = "Il corpo della richiesta deve essere un oggetto JSON."
NOT_READY = "Il server non è ancora pronto: riprova tra poco."
INVALID = "Richiesta non valida: controlla i campi indicati in «errors»."

# pydantic 1's error types, in Italian; our own validators already speak Italian.
FIELD_MESSAGES = {
    "value_error.missing": "Campo obbligatorio.",
    "value_error.extra": "Campo non previsto.",
    "value_error.any_str.min_length": "Deve contenere almeno {limit_value} caratteri.",
    "value_error.any_str.max_length": "Può contenere al massimo {limit_value} caratteri.",
    "type_error.str": "Deve essere un testo.",
    "type_error.list": "Deve essere un elenco.",
    "type_error.dict": "Deve essere un oggetto JSON.",
    "type_error.bool": "Deve essere vero o falso.",
}

Model = TypeVar("Model", bound=BaseModel)


def error(status: int, detail: str, **headers: str) -> HTTPResponse:
    return problem_response(problem(status, detail), headers or None)


def problem_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> HTTPResponse:
    return response.json(body, status=body["status"], headers=headers, content_type=MEDIA_TYPE)


def unauthorized() -> HTTPResponse:
    return error(401, UNAUTHORIZED, **{"WWW-Authenticate": "Bearer"})


def field_errors(exc: ValidationError) -> list[dict[str, Any]]:
    errors = []
    for item in exc.errors():
        template = FIELD_MESSAGES.get(item["type"])
        try:
            message = template.format(**item.get("ctx", {})) if template else item["msg"]
        except (KeyError, IndexError):
            message = item["msg"]
        errors.append(field_error(item["loc"], message, item["type"]))
    return errors


def json_object(request: Request) -> dict[str, Any] | None:
    try:
        body = request.json
    except Exception:  # sanic raises its own error types for bad JSON
        return None
    return body if isinstance(body, dict) else None


def read(request: Request, token: str, model: type[Model], invalid: str = INVALID) -> Model | HTTPResponse:
    """The request's body as `model`, or the response refusing it (401, 400 or 422)."""
    if not bearer_token_matches(request.headers.get("Authorization"), token):
        return unauthorized()
    raw = json_object(request)
    if raw is None:
        return error(400, NOT_JSON)
    try:
        return model.parse_obj(raw)
    except ValidationError as exc:
        return problem_response(invalid_request(field_errors(exc), invalid))
