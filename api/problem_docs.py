"""Error responses in the OpenAPI schema: every 4xx/5xx is `application/problem+json`.

Routers declare the errors particular to their routes with `problem_responses(404, ...)`;
`install_problem_docs` then completes every operation of the schema with the errors any
route can give (401 when authenticated, 422 when it takes input, 500, 503) and turns
every error response a route declared another way into a ProblemDetails one. A route
added later is documented without thinking of it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI

from api.schemas import ProblemDetails
from sportello.problems import MEDIA_TYPE

Responses = dict[int | str, dict[str, Any]]

PROBLEM_REF = {"$ref": "#/components/schemas/ProblemDetails"}
DESCRIPTIONS: dict[int, str] = {
    400: "Richiesta non valida",
    401: "Token di servizio mancante o errato",
    403: "Accesso negato",
    404: "Risorsa non trovata",
    409: "In conflitto con lo stato attuale della risorsa",
    422: "Dati non validi (JSON malformato compreso): `errors` indica ogni campo sbagliato",
    500: "Errore interno",
    503: "Database non disponibile: riprova tra poco",
}
AUTH_HEADER = {"WWW-Authenticate": {"description": "Lo schema di autenticazione atteso", "schema": {"type": "string"}}}
FASTAPI_422 = "Validation Error"
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


def problem_content() -> dict[str, Any]:
    return {MEDIA_TYPE: {"schema": dict(PROBLEM_REF)}}


def problem_responses(*statuses: int, descriptions: Mapping[int, str] | None = None) -> Responses:
    """`responses=` for a router or a route: these errors, as problem details.

    e.g. `problem_responses(404, 409, descriptions={404: "Richiesta non trovata"})`.
    """
    described = {**DESCRIPTIONS, **(descriptions or {})}
    statuses = (*statuses, *(descriptions or {}))
    return {
        status: {"description": described.get(status, "Errore"), "content": problem_content()}
        for status in dict.fromkeys(statuses)
    }


def _is_error(code: str) -> bool:
    return code[:1] in {"4", "5"}


def _document_operation(operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    implied = [500, 503]
    if operation.get("security"):
        implied.append(401)
    if operation.get("parameters") or operation.get("requestBody"):
        implied.append(422)
    for status in implied:
        responses.setdefault(str(status), {"description": DESCRIPTIONS[status]})
    if responses.get("422", {}).get("description") == FASTAPI_422:
        responses["422"]["description"] = DESCRIPTIONS[422]
    for code, response in responses.items():
        if _is_error(code):
            # Whatever a route declared (FastAPI's HTTPValidationError, a model as JSON): a problem.
            response["content"] = problem_content()
            if code == "401":
                response["headers"] = {**AUTH_HEADER, **response.get("headers", {})}


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with every error response documented as ProblemDetails (in place)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    problem_schema = ProblemDetails.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(problem_schema.pop("$defs", {}))
    components["ProblemDetails"] = problem_schema
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            if method in HTTP_METHODS:
                _document_operation(operation)
    # FastAPI's own error shape is no longer answered anywhere (unless a schema refers to it).
    for unused in ("HTTPValidationError", "ValidationError"):
        if f'"#/components/schemas/{unused}"' not in json.dumps(schema):
            components.pop(unused, None)
    return schema


def install_problem_docs(app: FastAPI) -> None:
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_problems(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
