"""The OpenAPI schema documents every error response as ProblemDetails (application/problem+json)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import APIRouter, FastAPI

from api.problem_docs import problem_responses
from api.schemas import ErrorOut
from sportello.problems import MEDIA_TYPE

PROBLEM = {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}


def _operations(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(f"{method.upper()} {path}", op) for path, item in schema["paths"].items() for method, op in item.items()]


def test_every_error_response_of_every_operation_is_a_problem(app: FastAPI) -> None:
    schema = app.openapi()
    for label, operation in _operations(schema):
        errors = {code: r for code, r in operation["responses"].items() if code[0] in "45"}
        assert {"500", "503"} <= set(errors), label
        for code, response in errors.items():
            assert response["content"] == PROBLEM, f"{label} {code}"
            assert response["description"], f"{label} {code}"
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    problem = schema["components"]["schemas"]["ProblemDetails"]
    assert set(problem["required"]) == {"title", "status", "detail"}
    assert problem["additionalProperties"] is True  # extension members
    assert problem["properties"]["errors"]["anyOf"][0]["items"] == {"$ref": "#/components/schemas/FieldError"}


def test_authenticated_operations_document_401_and_operations_with_input_422(app: FastAPI) -> None:
    for label, operation in _operations(app.openapi()):
        responses = operation["responses"]
        assert ("401" in responses) == bool(operation.get("security")), label
        if "401" in responses:
            assert "WWW-Authenticate" in responses["401"]["headers"], label
        takes_input = bool(operation.get("parameters") or operation.get("requestBody"))
        assert ("422" in responses) == takes_input, label


def test_a_route_added_later_is_documented_without_thinking_of_it(app: FastAPI) -> None:
    router = APIRouter(responses=problem_responses(404, descriptions={409: "Già fatto"}))

    @router.post("/prove/{n}", responses={410: {"model": ErrorOut, "description": "Sparito"}})
    def prova(n: int) -> dict[str, int]:
        return {"n": n}

    app.include_router(router)
    responses = app.openapi()["paths"]["/prove/{n}"]["post"]["responses"]
    assert {code for code in responses if code[0] in "45"} == {"404", "409", "410", "422", "500", "503"}
    assert all(responses[code]["content"] == PROBLEM for code in ("404", "409", "410", "422", "500", "503"))
    assert responses["409"]["description"] == "Già fatto"
    assert responses["410"]["description"] == "Sparito"


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422, 500, 503])
def test_problem_responses_have_italian_descriptions(status: int) -> None:
    (response,) = problem_responses(status).values()
    assert response == {"description": response["description"], "content": PROBLEM}
    assert response["description"] != "Errore"
