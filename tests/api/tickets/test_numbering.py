"""Ticket numbers: format, parsing, and the per-year counter."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

import pytest

from api.tickets.numbering import canonical_number, format_number, number_year


def test_format() -> None:
    assert format_number(2026, 123) == "SW-2026-000123"
    assert format_number(2026, 1_234_567) == "SW-2026-1234567"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SW-2026-000123", "SW-2026-000123"),
        ("sw-2026-123", "SW-2026-000123"),
        ("  Sw-2026-0000123 ", "SW-2026-000123"),
        ("SW-2027-1234567", "SW-2027-1234567"),
        ("SW-2026-000000", None),
        ("SW-26-000123", None),
        ("SW-2026-", None),
        ("XX-2026-000123", None),
        ("SW-2026-000123-1", None),
        ("SW-2026-12a", None),
        ("", None),
    ],
)
def test_canonical_number(text: str, expected: str | None) -> None:
    assert canonical_number(text) == expected


def test_the_year_is_the_year_in_rome() -> None:
    assert number_year(datetime(2026, 12, 31, 22, 59, tzinfo=timezone.utc)) == 2026
    assert number_year(datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc)) == 2027  # 00:30 in Rome


def test_numbers_are_consecutive_and_restart_every_year(make_ticket: Callable[..., str]) -> None:
    numbers = [make_ticket(datetime(2026, 5, day, 10, tzinfo=timezone.utc)) for day in (1, 2, 3)]
    assert numbers == ["SW-2026-000001", "SW-2026-000002", "SW-2026-000003"]
    assert make_ticket(datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc)) == "SW-2027-000001"
    assert make_ticket(datetime(2027, 1, 2, tzinfo=timezone.utc)) == "SW-2027-000002"
    # A late ticket of the previous year continues that year's count.
    assert make_ticket(datetime(2026, 12, 31, 9, tzinfo=timezone.utc)) == "SW-2026-000004"
