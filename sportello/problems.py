"""One shape for every HTTP error of the project: RFC 9457 problem details.

`{"type", "title", "status", "detail", ...extensions}` served as
`application/problem+json`, in every process (API, Rasa channels, action server,
Telegram bridge), so a client reads every error the same way. `detail` is Italian,
for people; `type` and `status` are for programs. Invalid requests carry the
per-field messages in the extension `errors: [{"loc", "msg", "type"}]`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from http import HTTPStatus
from typing import Any

MEDIA_TYPE = "application/problem+json"
ABOUT_BLANK = "about:blank"
# RFC 9457 §3.1; an extension with one of these names would change the problem's meaning.
STANDARD_MEMBERS = frozenset({"type", "title", "status", "detail", "instance"})

INVALID_REQUEST = "Richiesta non valida: controlla i campi indicati in «errors»."
DEFAULT_DETAILS: dict[int, str] = {
    400: "Richiesta non valida.",
    401: "Autenticazione richiesta.",
    403: "Accesso negato.",
    404: "Risorsa non trovata.",
    405: "Metodo non consentito.",
    406: "Formato della risposta non disponibile.",
    409: "La richiesta è in conflitto con lo stato attuale della risorsa.",
    413: "Richiesta troppo grande.",
    415: "Tipo di contenuto non supportato.",
    422: INVALID_REQUEST,
    429: "Troppe richieste: riprova tra poco.",
    500: "Errore interno del server.",
    503: "Servizio non disponibile: riprova tra poco.",
}


def title_of(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def default_detail(status: int) -> str:
    return DEFAULT_DETAILS.get(status, "Errore del server." if status >= 500 else "Richiesta non valida.")


def problem(status: int, detail: str | None = None, *, type_: str = ABOUT_BLANK, **extensions: Any) -> dict[str, Any]:
    """The body of an error response; `detail` defaults to the status's Italian message."""
    reserved = STANDARD_MEMBERS.intersection(extensions)
    if reserved:
        raise ValueError(f"extension members named like standard members: {sorted(reserved)}")
    return {
        "type": type_,
        "title": title_of(status),
        "status": status,
        "detail": detail or default_detail(status),
        **extensions,
    }


def field_error(loc: Iterable[str | int], msg: str, type_: str) -> dict[str, Any]:
    """One item of the `errors` extension."""
    return {"loc": list(loc), "msg": msg, "type": type_}


def invalid_request(errors: Sequence[dict[str, Any]], detail: str = INVALID_REQUEST) -> dict[str, Any]:
    """A 422 problem listing what is wrong with each field."""
    return problem(422, detail, errors=list(errors))
