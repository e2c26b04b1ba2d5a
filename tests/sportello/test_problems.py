"""RFC 9457 problem details, the one error shape of every process."""

from __future__ import annotations

import pytest

from sportello.problems import DEFAULT_DETAILS, INVALID_REQUEST, field_error, invalid_request, problem


def test_a_problem_has_the_standard_members_and_its_extensions() -> None:
    assert problem(409, "Non puoi farlo adesso.", allowed=["a"]) == {
        "type": "about:blank",
        "title": "Conflict",
        "status": 409,
        "detail": "Non puoi farlo adesso.",
        "allowed": ["a"],
    }


@pytest.mark.parametrize("status", sorted(DEFAULT_DETAILS))
def test_without_a_detail_the_status_gets_an_italian_one(status: int) -> None:
    assert problem(status)["detail"] == DEFAULT_DETAILS[status]


def test_unknown_statuses_still_get_a_title_and_a_detail() -> None:
    assert problem(499) == {"type": "about:blank", "title": "Error", "status": 499, "detail": "Richiesta non valida."}
    assert problem(599)["detail"] == "Errore del server."


@pytest.mark.parametrize("name", ["type", "title", "instance"])
def test_an_extension_never_replaces_a_standard_member(name: str) -> None:
    with pytest.raises(ValueError, match=name):
        problem(400, "x", **{name: "altro"})


def test_an_invalid_request_lists_each_field() -> None:
    errors = [field_error(("body", "vote"), "Campo obbligatorio.", "missing")]
    assert invalid_request(errors) == problem(
        422, INVALID_REQUEST, errors=[{"loc": ["body", "vote"], "msg": "Campo obbligatorio.", "type": "missing"}]
    )
