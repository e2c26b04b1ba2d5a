"""Error responses in Italian, in FastAPI's usual shape (`{"detail": ...}`).

Validation errors keep FastAPI's list of `{"loc", "msg", "type"}`, with `msg`
translated, so clients can still read `type` and `loc`; the input is not echoed.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.utils import is_body_allowed_for_status_code
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.schemas import TOPIC_ID_PATTERN

logger = logging.getLogger(__name__)

DATABASE_UNAVAILABLE = "Database non disponibile: riprova tra poco."
INTERNAL_ERROR = "Errore interno del server."

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
}
FALLBACK_VALIDATION_MESSAGE = "Valore non valido."

HTTP_MESSAGES: dict[int, str] = {
    400: "Richiesta non valida.",
    401: "Autenticazione richiesta.",
    403: "Accesso negato.",
    404: "Risorsa non trovata.",
    405: "Metodo non consentito.",
    406: "Formato della risposta non disponibile.",
    413: "Richiesta troppo grande.",
    415: "Tipo di contenuto non supportato.",
    500: INTERNAL_ERROR,
    503: "Servizio non disponibile.",
}


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
        {
            "loc": list(error.get("loc", ())),
            "msg": italian_message(error["type"], error.get("ctx")),
            "type": error["type"],
        }
        for error in errors
    ]


async def validation_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    errors = cast(RequestValidationError, exc).errors()
    return JSONResponse(status_code=422, content=jsonable_encoder({"detail": translate_errors(errors)}))


def _default_phrase(status_code: int) -> str | None:
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return None


async def http_error_handler(_request: Request, exc: Exception) -> Response:
    http_exc = cast(StarletteHTTPException, exc)
    if not is_body_allowed_for_status_code(http_exc.status_code):
        return Response(status_code=http_exc.status_code, headers=http_exc.headers)
    detail: Any = http_exc.detail
    phrase = _default_phrase(http_exc.status_code)
    if detail is None or detail == phrase:
        detail = HTTP_MESSAGES.get(http_exc.status_code, phrase or "Errore.")
    return JSONResponse(status_code=http_exc.status_code, content={"detail": detail}, headers=http_exc.headers)


async def database_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    logger.warning("Database non raggiungibile: %r", exc)
    return JSONResponse(status_code=503, content={"detail": DATABASE_UNAVAILABLE})


async def internal_error_handler(_request: Request, _exc: Exception) -> JSONResponse:
    # Starlette's ServerErrorMiddleware logs the traceback and re-raises after this.
    return JSONResponse(status_code=500, content={"detail": INTERNAL_ERROR})


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
    app.add_exception_handler(OperationalError, database_error_handler)
    app.add_exception_handler(Exception, internal_error_handler)
