"""Every error of the API as RFC 9457 problem details (sportello/problems.py), in Italian.

Validation errors list each field in the `errors` extension as `{"loc", "msg", "type"}`
(pydantic's `loc` and `type`, `msg` translated), so clients can still read which
field is wrong; the input is not echoed. An `HTTPException` whose `detail` is a dict
becomes a problem whose `detail` is the dict's "detail" and whose extensions are the
other keys (e.g. `allowed` for a ticket transition that is not possible).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.utils import is_body_allowed_for_status_code
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount

from api.schemas import TOPIC_ID_PATTERN
from sportello.problems import (
    MEDIA_TYPE,
    STANDARD_MEMBERS,
    default_detail,
    field_error,
    invalid_request,
    problem,
    title_of,
)

logger = logging.getLogger(__name__)

DATABASE_UNAVAILABLE = "Database non disponibile: riprova tra poco."
INTERNAL_ERROR = default_detail(500)
# What FastAPI says when a JSON body cannot even be decoded (e.g. bytes that are not UTF-8).
FASTAPI_BODY_PARSE_ERROR = "There was an error parsing the body"
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")

# pydantic error type -> Italian message; `{name}` fields come from the error's ctx.
VALIDATION_MESSAGES: dict[str, str] = {
    "missing": "Campo obbligatorio.",
    "extra_forbidden": "Campo non previsto.",
    "string_type": "Deve essere un testo.",
    "string_too_short": "Deve contenere almeno {min_length} caratteri.",
    "string_too_long": "Può contenere al massimo {max_length} caratteri.",
    "string_pattern_mismatch": "Formato non valido: atteso {pattern}.",
    "literal_error": "Valore non ammesso: i valori validi sono {expected}.",
    "enum": "Valore non ammesso: i valori validi sono {expected}.",
    "float_type": "Deve essere un numero.",
    "float_parsing": "Deve essere un numero.",
    "finite_number": "Deve essere un numero finito.",
    "int_type": "Deve essere un numero intero.",
    "int_parsing": "Deve essere un numero intero.",
    "int_from_float": "Deve essere un numero intero.",
    "bool_type": "Deve essere vero o falso.",
    "bool_parsing": "Deve essere vero o falso.",
    "greater_than": "Deve essere maggiore di {gt}.",
    "greater_than_equal": "Deve essere maggiore o uguale a {ge}.",
    "less_than": "Deve essere minore di {lt}.",
    "less_than_equal": "Deve essere minore o uguale a {le}.",
    "json_invalid": "JSON non valido.",
    "json_type": "JSON non valido.",
    "model_attributes_type": "Il corpo della richiesta deve essere un oggetto JSON.",
    "dict_type": "Il corpo della richiesta deve essere un oggetto JSON.",
    "list_type": "Deve essere un elenco.",
    "too_short": "Deve contenere almeno {min_length} elementi.",
    "too_long": "Può contenere al massimo {max_length} elementi.",
    "datetime_type": "Deve essere una data e ora (ISO 8601, per esempio 2026-03-02T09:15:00Z).",
    "datetime_parsing": "Deve essere una data e ora (ISO 8601, per esempio 2026-03-02T09:15:00Z).",
    "timezone_aware": "Indica il fuso orario (per esempio 2026-03-02T09:15:00Z).",
    # Our own validators raise ValueError with an Italian message: show it.
    "value_error": "{error}",
}
FALLBACK_VALIDATION_MESSAGE = "Valore non valido."

# Patterns people cannot be expected to read, explained.
PATTERN_MESSAGES: dict[str, str] = {
    TOPIC_ID_PATTERN: (
        "Formato non valido: usa lettere minuscole senza accenti, cifre e «_», iniziando con una lettera "
        "(per esempio buoni_pasto)."
    ),
}


def _format_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value).replace(" or ", " o ")


def italian_message(error_type: str, ctx: Mapping[str, Any] | None) -> str:
    ctx = ctx or {}
    if error_type == "string_too_short" and ctx.get("min_length") == 1:
        return "Non può essere vuoto."
    if error_type == "string_pattern_mismatch" and ctx.get("pattern") in PATTERN_MESSAGES:
        return PATTERN_MESSAGES[ctx["pattern"]]
    template = VALIDATION_MESSAGES.get(error_type)
    if template is None:
        return FALLBACK_VALIDATION_MESSAGE
    try:
        return template.format(**{key: _format_value(value) for key, value in ctx.items()})
    except (KeyError, IndexError):
        return FALLBACK_VALIDATION_MESSAGE


def translate_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    return [
        field_error(error.get("loc", ()), italian_message(error["type"], error.get("ctx")), error["type"])
        for error in errors
    ]


def problem_response(status: int, body: dict[str, Any], headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(jsonable_encoder(body), status_code=status, headers=headers, media_type=MEDIA_TYPE)


async def validation_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    errors = cast(RequestValidationError, exc).errors()
    return problem_response(422, invalid_request(translate_errors(errors)))


def allowed_methods(request: Request) -> str:
    """Every method some route serves at this path (Starlette names only the first route's)."""
    allowed: set[str] = set()
    for route in request.app.router.routes:
        if isinstance(route, Mount):  # our mounts serve static files
            if route.matches({**request.scope, "method": "GET"})[0] is Match.FULL:
                allowed |= {"GET", "HEAD"}
            continue
        allowed |= {m for m in METHODS if route.matches({**request.scope, "method": m})[0] is Match.FULL}
    return ", ".join(m for m in METHODS if m in allowed)


def _detail_and_extensions(status: int, detail: Any) -> tuple[str, dict[str, Any]]:
    extensions: dict[str, Any] = {}
    if isinstance(detail, Mapping):
        extensions = {key: value for key, value in detail.items() if key != "detail"}
        clashing = STANDARD_MEMBERS.intersection(extensions)
        if clashing:
            # The standard member keeps its meaning; the route must rename its extension.
            logger.error("Errore %s: estensioni con il nome di un membro standard ignorate: %s", status, clashing)
            extensions = {key: value for key, value in extensions.items() if key not in clashing}
        detail = detail.get("detail")
    if detail is None or detail == title_of(status):
        return default_detail(status), extensions
    return str(detail), extensions


async def http_error_handler(request: Request, exc: Exception) -> Response:
    http_exc = cast(StarletteHTTPException, exc)
    status = http_exc.status_code
    headers = dict(http_exc.headers or {})
    if status == 400 and http_exc.detail == FASTAPI_BODY_PARSE_ERROR:
        # A body that is not JSON is refused like any other invalid body: 422, one documented answer.
        return problem_response(
            422, invalid_request([field_error(["body"], italian_message("json_invalid", None), "json_invalid")])
        )
    if status == 405:
        allow = allowed_methods(request)
        if allow:
            headers["Allow"] = allow
    if not is_body_allowed_for_status_code(status):
        return Response(status_code=status, headers=headers)
    detail, extensions = _detail_and_extensions(status, http_exc.detail)
    return problem_response(status, problem(status, detail, **extensions), headers)


async def database_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    logger.warning("Database non raggiungibile: %r", exc)
    return problem_response(503, problem(503, DATABASE_UNAVAILABLE))


async def internal_error_handler(_request: Request, _exc: Exception) -> JSONResponse:
    # Starlette's ServerErrorMiddleware logs the traceback and re-raises after this.
    return problem_response(500, problem(500, INTERNAL_ERROR))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
    app.add_exception_handler(OperationalError, database_error_handler)
    app.add_exception_handler(Exception, internal_error_handler)
