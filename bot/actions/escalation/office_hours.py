"""When the Sportello's people are at work: configured hours, Europe/Rome, Italian holidays.

`SPORTELLO_OFFICE_HOURS` reads like a notice on a door: "lun-ven 9:00-13:00,14:00-17:00;
sab 9-12". Public holidays come from the maintained `holidays` package (national ones,
plus the patron saint of `SPORTELLO_OFFICE_PROVINCE`, e.g. TO). Left empty, no hours
are promised: the reply only says that a person will answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

ROME = ZoneInfo("Europe/Rome")
DAYS = ("lun", "mar", "mer", "gio", "ven", "sab", "dom")
DAY_NAMES = ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica")
MONTHS = (
    "gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno",
    "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre",
)  # fmt: skip
_RANGE = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?-(\d{1,2})(?:[:.](\d{2}))?$")
LOOKAHEAD_DAYS = 21


class OfficeHoursError(ValueError):
    pass


@dataclass(frozen=True)
class OfficeHours:
    # weekday (0 = Monday) -> opening intervals
    week: dict[int, tuple[tuple[time, time], ...]]
    province: str | None = None

    @property
    def configured(self) -> bool:
        return any(self.week.values())

    def _holidays(self, year: int) -> holidays.HolidayBase:
        return _italian_holidays(year, self.province)

    def _intervals(self, day: date) -> tuple[tuple[time, time], ...]:
        if day in self._holidays(day.year):
            return ()
        return self.week.get(day.weekday(), ())

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(ROME)
        return any(start <= local.time() < end for start, end in self._intervals(local.date()))

    def next_opening(self, moment: datetime) -> datetime | None:
        """The next time the Sportello opens after `moment` (Rome time), if within three weeks."""
        local = moment.astimezone(ROME)
        for offset in range(LOOKAHEAD_DAYS):
            day = local.date() + timedelta(days=offset)
            for start, _ in self._intervals(day):
                opening = datetime.combine(day, start, tzinfo=ROME)
                if opening > local:
                    return opening
        return None


@lru_cache(maxsize=8)
def _italian_holidays(year: int, province: str | None) -> holidays.HolidayBase:
    return holidays.country_holidays("IT", subdiv=province or None, years=year)


def _time(hours: str, minutes: str | None) -> time:
    value = int(hours)
    if value == 24 and not minutes:
        return time(23, 59, 59)
    return time(value, int(minutes or 0))


def _days(spec: str) -> list[int]:
    result: list[int] = []
    for part in spec.split(","):
        if "-" in part:
            first, last = (p.strip().lower()[:3] for p in part.split("-", 1))
        else:
            first = last = part.strip().lower()[:3]
        if first not in DAYS or last not in DAYS:
            raise OfficeHoursError(f"giorno non riconosciuto in «{part.strip()}»: usa {', '.join(DAYS)}")
        start, end = DAYS.index(first), DAYS.index(last)
        result += list(range(start, end + 1)) if start <= end else [*range(start, 7), *range(0, end + 1)]
    return result


def parse_office_hours(spec: str, province: str = "") -> OfficeHours:
    """'lun-ven 9:00-13:00,14:00-17:00; sab 9-12' -> OfficeHours; '' means not configured."""
    week: dict[int, list[tuple[time, time]]] = {}
    for segment in filter(None, (s.strip() for s in spec.split(";"))):
        try:
            days, ranges = segment.split(None, 1)
        except ValueError:
            raise OfficeHoursError(f"orario senza fasce orarie: «{segment}»") from None
        intervals = []
        for item in ranges.replace(" ", "").split(","):
            match = _RANGE.match(item)
            if not match:
                raise OfficeHoursError(f"fascia oraria non valida: «{item}» (esempio: 9:00-13:00)")
            start, end = _time(match[1], match[2]), _time(match[3], match[4])
            if start >= end:
                raise OfficeHoursError(f"la fascia «{item}» finisce prima di cominciare")
            intervals.append((start, end))
        for day in _days(days):
            week.setdefault(day, []).extend(intervals)
    return OfficeHours({d: tuple(sorted(v)) for d, v in week.items()}, province.strip().upper() or None)


def describe_opening(opening: datetime, now: datetime) -> str:
    """'oggi alle 14:00', 'domani alle 9:00', 'lunedì 7 dicembre alle 9:00'."""
    local_now = now.astimezone(ROME)
    when = opening.astimezone(ROME)
    hour = f"{when.hour}:{when.minute:02d}"
    if when.date() == local_now.date():
        return f"oggi alle {hour}"
    if when.date() == local_now.date() + timedelta(days=1):
        return f"domani alle {hour}"
    return f"{DAY_NAMES[when.weekday()]} {when.day} {MONTHS[when.month - 1]} alle {hour}"
