"""Invalid requests get a 422 problem whose `errors` list every field, messages in Italian."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.errors import FALLBACK_VALIDATION_MESSAGE, italian_message
from api.schemas import MAX_DB_INT
from sportello.problems import INVALID_REQUEST
from tests.api.support import AUTH, error_detail, error_fields, vote_payload

TOPIC_FORMAT = (
    "Formato non valido: usa lettere minuscole senza accenti, cifre e «_», iniziando con una lettera "
    "(per esempio buoni_pasto)."
)


def _errors(response: Any) -> dict[tuple[Any, ...], dict[str, Any]]:
    assert error_detail(response) == INVALID_REQUEST
    return error_fields(response)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"conversation_id": ""}, "conversation_id", "Non può essere vuoto."),
        ({"conversation_id": "c" * 129}, "conversation_id", "Può contenere al massimo 128 caratteri."),
        ({"conversation_id": 42}, "conversation_id", "Deve essere un testo."),
        ({"channel": ""}, "channel", "Non può essere vuoto."),
        ({"channel": "c" * 33}, "channel", "Può contenere al massimo 32 caratteri."),
        ({"topic_id": ""}, "topic_id", "Non può essere vuoto."),
        ({"topic_id": "Buoni_Pasto"}, "topic_id", TOPIC_FORMAT),
        ({"topic_id": "buoni-pasto"}, "topic_id", TOPIC_FORMAT),
        ({"topic_id": "1_topic"}, "topic_id", TOPIC_FORMAT),
        ({"topic_id": "perché"}, "topic_id", TOPIC_FORMAT),
        ({"topic_id": "a" * 65}, "topic_id", "Può contenere al massimo 64 caratteri."),
        ({"vote": "UP"}, "vote", "Valore non ammesso: i valori validi sono 'up' o 'down'."),
        ({"vote": None}, "vote", "Valore non ammesso: i valori validi sono 'up' o 'down'."),
        ({"confidence": -0.01}, "confidence", "Deve essere maggiore o uguale a 0."),
        ({"confidence": 1.01}, "confidence", "Deve essere minore o uguale a 1."),
        ({"confidence": "alta"}, "confidence", "Deve essere un numero."),
        # Strict: a client's type error is refused, not coerced.
        ({"confidence": False}, "confidence", "Deve essere un numero."),
        ({"confidence": True}, "confidence", "Deve essere un numero."),
        ({"confidence": "0.5"}, "confidence", "Deve essere un numero."),
        ({"vote": ["up"]}, "vote", "Valore non ammesso: i valori validi sono 'up' o 'down'."),
        ({"question": "x" * 1001}, "question", "Può contenere al massimo 1000 caratteri."),
    ],
)
def test_invalid_fields(client: TestClient, overrides: dict[str, Any], field: str, message: str) -> None:
    errors = _errors(client.post("/api/v1/feedback", json=vote_payload(**overrides), headers=AUTH))
    assert list(errors) == [("body", field)]
    assert errors["body", field]["msg"] == message
    assert client.get("/api/v1/feedback", headers=AUTH).json()["count"] == 0


@pytest.mark.parametrize("field", ["conversation_id", "channel", "topic_id", "vote"])
def test_required_fields(client: TestClient, field: str) -> None:
    payload = vote_payload()
    del payload[field]
    errors = _errors(client.post("/api/v1/feedback", json=payload, headers=AUTH))
    assert errors["body", field] == {"loc": ["body", field], "msg": "Campo obbligatorio.", "type": "missing"}


def test_every_error_is_reported_at_once(client: TestClient) -> None:
    errors = _errors(client.post("/api/v1/feedback", json={"vote": "forse"}, headers=AUTH))
    assert set(errors) == {("body", f) for f in ("conversation_id", "channel", "topic_id", "vote")}


def test_infinite_or_nan_confidence_is_refused(client: TestClient) -> None:
    body = b'{"conversation_id": "c", "channel": "rest", "topic_id": "t", "vote": "up", "confidence": NaN}'
    response = client.post("/api/v1/feedback", content=body, headers={**AUTH, "Content-Type": "application/json"})
    assert _errors(response)["body", "confidence"]["msg"] == "Deve essere un numero finito."


def test_a_whole_number_is_a_valid_confidence(client: TestClient) -> None:
    response = client.post("/api/v1/feedback", json=vote_payload(confidence=1), headers=AUTH)
    assert response.status_code == 201, response.text
    assert client.get("/api/v1/feedback", headers=AUTH).json()["items"][0]["confidence"] == 1.0


@pytest.mark.parametrize(
    "body", [b"{non json", b'{"vote": "\xff\xfe"}', b"\xff\xfe\x00"], ids=["sintassi", "non-utf8", "utf16-troncato"]
)
def test_malformed_json_is_a_422_like_any_invalid_body(client: TestClient, body: bytes) -> None:
    response = client.post("/api/v1/feedback", content=body, headers={**AUTH, "Content-Type": "application/json"})
    (error,) = _errors(response).values()
    assert error["msg"] == "JSON non valido." and error["type"] == "json_invalid"


def test_the_body_must_be_an_object(client: TestClient) -> None:
    (error,) = _errors(client.post("/api/v1/feedback", json=[vote_payload()], headers=AUTH)).values()
    assert error["msg"] == "Il corpo della richiesta deve essere un oggetto JSON."


def test_the_input_is_not_echoed(client: TestClient) -> None:
    response = client.post("/api/v1/feedback", json=vote_payload(question="segreto " * 200), headers=AUTH)
    assert response.status_code == 422 and "segreto" not in response.text


@pytest.mark.parametrize(
    ("params", "name", "message"),
    [
        ({"limit": 0}, "limit", "Deve essere maggiore o uguale a 1."),
        ({"limit": 501}, "limit", "Deve essere minore o uguale a 500."),
        ({"limit": "tanti"}, "limit", "Deve essere un numero intero."),
        ({"offset": -1}, "offset", "Deve essere maggiore o uguale a 0."),
        # Past what the database's integers hold: refused before it reaches the database.
        ({"offset": 709951851412273007276589056}, "offset", f"Deve essere minore o uguale a {MAX_DB_INT}."),
        ({"offset": MAX_DB_INT + 1}, "offset", f"Deve essere minore o uguale a {MAX_DB_INT}."),
        ({"vote": "forse"}, "vote", "Valore non ammesso: i valori validi sono 'up' o 'down'."),
        ({"topic_id": "Buoni Pasto"}, "topic_id", TOPIC_FORMAT),
    ],
)
def test_invalid_query_parameters(client: TestClient, params: dict[str, Any], name: str, message: str) -> None:
    errors = _errors(client.get("/api/v1/feedback", params=params, headers=AUTH))
    assert errors["query", name]["msg"] == message


def test_the_largest_offset_is_answered(client: TestClient) -> None:
    response = client.get("/api/v1/feedback", params={"offset": MAX_DB_INT}, headers=AUTH)
    assert response.status_code == 200 and response.json()["items"] == []


def test_unknown_error_types_get_a_generic_italian_message() -> None:
    assert italian_message("tipo_mai_visto", None) == FALLBACK_VALIDATION_MESSAGE
    assert italian_message("greater_than", {}) == FALLBACK_VALIDATION_MESSAGE  # ctx without the value
    assert italian_message("less_than_equal", {"le": 0.5}) == "Deve essere minore o uguale a 0,5."
