from __future__ import annotations

import pytest

from sportello.auth import bearer_token, bearer_token_matches, token_matches


@pytest.mark.parametrize(
    ("header", "expected", "ok"),
    [
        ("Bearer abc", "abc", True),
        ("bearer abc", "abc", True),
        ("Bearer  abc ", "abc", True),
        ("Bearer abc", "", False),  # an unset secret locks the route
        (None, "abc", False),
        ("", "abc", False),
        ("Bearer ab", "abc", False),
        ("Bearer abcd", "abc", False),
        ("Basic abc", "abc", False),
        ("abc", "abc", False),
        ("Bearer ", "", False),
    ],
)
def test_bearer_token_matching(header: str | None, expected: str, ok: bool) -> None:
    assert bearer_token_matches(header, expected) is ok


def test_the_token_is_read_only_from_a_bearer_header() -> None:
    assert bearer_token("Bearer xyz") == "xyz"
    assert bearer_token("Token xyz") == ""
    assert not token_matches("", "")
