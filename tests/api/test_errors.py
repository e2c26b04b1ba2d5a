"""Every error of the API is an RFC 9457 problem (application/problem+json) in Italian."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from api.deps import get_engine
from api.errors import DATABASE_UNAVAILABLE, INTERNAL_ERROR
from sportello.problems import DEFAULT_DETAILS
from tests.api.support import AUTH, error_detail, error_field, problem_body, vote_payload


def test_unknown_path(client: TestClient) -> None:
    response = client.get("/api/v1/non-esiste")
    assert response.status_code == 404
    assert problem_body(response) == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "Risorsa non trovata.",
    }


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/api/v1/feedback", "GET, POST"),
        ("OPTIONS", "/api/v1/feedback", "GET, POST"),
        ("PUT", "/api/v1/feedback", "GET, POST"),
        ("POST", "/api/v1/health", "GET"),
        ("OPTIONS", "/api/v1/feedback/summary", "GET"),
        ("POST", "/openapi.json", "GET, HEAD"),
        ("POST", "/static/widget/sportello-widget.js", "GET, HEAD"),
    ],
)
def test_a_wrong_method_is_a_405_that_names_every_allowed_one(
    client: TestClient, method: str, path: str, allow: str
) -> None:
    response = client.request(method, path, headers=AUTH)
    assert response.status_code == 405
    assert error_detail(response) == "Metodo non consentito."
    # Starlette names only the first route of the path; GET and POST are two routes here.
    assert response.headers["Allow"] == allow


def test_database_down_gives_503_on_feedback_endpoints(client: TestClient, app: FastAPI, tmp_path: Path) -> None:
    unreachable = create_engine(f"sqlite:///{tmp_path / 'cartella-assente' / 'x.db'}")
    app.dependency_overrides[get_engine] = lambda: unreachable
    for response in (
        client.post("/api/v1/feedback", json=vote_payload(), headers=AUTH),
        client.get("/api/v1/feedback", headers=AUTH),
        client.get("/api/v1/feedback/summary", headers=AUTH),
    ):
        assert response.status_code == 503
        assert error_detail(response) == DATABASE_UNAVAILABLE


@pytest.fixture
def failing_client(app: FastAPI) -> Iterator[TestClient]:
    """The app with routes that fail in the ways routes do, as a client sees them."""

    def crash() -> None:
        raise RuntimeError("segreto interno")

    def conflict() -> None:
        raise HTTPException(409, detail={"detail": "Non puoi farlo adesso.", "allowed": ["a", "b"], "status": "x"})

    def plain(code: int) -> None:
        raise HTTPException(code)

    app.add_api_route("/prove/crash", crash)
    app.add_api_route("/prove/conflict", conflict)
    app.add_api_route("/prove/plain/{code}", plain)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_an_unexpected_error_is_a_500_that_reveals_nothing(failing_client: TestClient) -> None:
    response = failing_client.get("/prove/crash")
    assert response.status_code == 500
    assert error_detail(response) == INTERNAL_ERROR
    assert "segreto" not in response.text


def test_a_dict_detail_becomes_the_detail_and_extension_members(failing_client: TestClient) -> None:
    response = failing_client.get("/prove/conflict")
    assert response.status_code == 409
    assert error_detail(response) == "Non puoi farlo adesso."
    assert error_field(response, "allowed") == ["a", "b"]
    # An extension never replaces a standard member: `status` stays the HTTP status.
    assert problem_body(response)["status"] == 409


@pytest.mark.parametrize("code", [400, 403, 404, 409, 413, 429, 503])
def test_an_exception_without_detail_gets_the_italian_default(failing_client: TestClient, code: int) -> None:
    response = failing_client.get(f"/prove/plain/{code}")
    assert response.status_code == code
    assert error_detail(response) == DEFAULT_DETAILS[code]


def test_a_status_without_body_stays_without_body(failing_client: TestClient) -> None:
    response = failing_client.get("/prove/plain/304")
    assert response.status_code == 304 and response.content == b""
