"""Office hours in Europe/Rome, closed on Italian public holidays."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.actions.escalation.office_hours import ROME, OfficeHoursError, describe_opening, parse_office_hours

HOURS = parse_office_hours("lun-ven 9:00-13:00,14:00-17:00; sab 9-12")


def rome(*args: int) -> datetime:
    return datetime(*args, tzinfo=ROME)


def test_open_and_closed_times() -> None:
    assert HOURS.configured
    assert HOURS.is_open(rome(2026, 12, 1, 10, 0))  # Tuesday morning
    assert not HOURS.is_open(rome(2026, 12, 1, 13, 30))  # lunch break
    assert HOURS.is_open(rome(2026, 12, 5, 11, 59))  # Saturday
    assert not HOURS.is_open(rome(2026, 12, 6, 10, 0))  # Sunday


def test_public_holidays_are_closed() -> None:
    assert not HOURS.is_open(rome(2026, 12, 8, 10, 0))  # Immacolata, a Tuesday
    assert not HOURS.is_open(rome(2026, 12, 25, 10, 0))
    assert not HOURS.is_open(rome(2027, 3, 29, 10, 0))  # Easter Monday 2027


def test_the_provinces_patron_saint_is_closed_too() -> None:
    turin = parse_office_hours("lun-ven 9-17", "TO")
    assert not turin.is_open(rome(2026, 6, 24, 10, 0))  # San Giovanni, a Wednesday
    assert parse_office_hours("lun-ven 9-17").is_open(rome(2026, 6, 24, 10, 0))


def test_the_next_opening_skips_nights_weekends_and_holidays() -> None:
    assert HOURS.next_opening(rome(2026, 12, 1, 13, 30)) == rome(2026, 12, 1, 14, 0)
    assert HOURS.next_opening(rome(2026, 12, 5, 15, 0)) == rome(2026, 12, 7, 9, 0)  # Sat afternoon -> Monday
    assert HOURS.next_opening(rome(2026, 12, 7, 18, 0)) == rome(2026, 12, 9, 9, 0)  # 8 Dec is a holiday
    assert HOURS.next_opening(rome(2026, 12, 24, 18, 0)) == rome(2026, 12, 28, 9, 0)  # Christmas, Santo Stefano


def test_the_opening_in_words() -> None:
    now = rome(2026, 12, 1, 13, 30)
    assert describe_opening(rome(2026, 12, 1, 14, 0), now) == "oggi alle 14:00"
    assert describe_opening(rome(2026, 12, 2, 9, 0), now) == "domani alle 9:00"
    assert describe_opening(rome(2026, 12, 9, 9, 0), now) == "mercoledì 9 dicembre alle 9:00"


def test_no_hours_configured_promises_nothing() -> None:
    empty = parse_office_hours("")
    assert not empty.configured
    assert empty.next_opening(rome(2026, 12, 1, 10, 0)) is None


@pytest.mark.parametrize("spec", ["lun-ven", "lun-ven 9-8", "xyz 9-12", "lun 9:00-13:xx"])
def test_a_wrong_specification_is_explained(spec: str) -> None:
    with pytest.raises(OfficeHoursError):
        parse_office_hours(spec)
