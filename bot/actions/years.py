"""Years: the ones a question names and the ones a topic's answer holds for.

A threshold question names its year ("soglia fringe 2023", "e quest'anno?"); the
knowledge base says in `years` when each answer holds ("2025-2027", "dal 2016",
"vigente"). Pure Python, used by the decision (bot.actions.decision).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

# A year, not an amount ("2000 euro") nor part of a date or a number ("2.025").
_YEAR = re.compile(r"(?<![\d/.,])(20[0-4]\d)(?![\d/.,]\d)(?!\s*(?:€|euro|eur\b|mila\b))")
_RELATIVE = (
    (re.compile(r"\b(?:quest'? ?anno|anno in corso|adesso|oggi|attualmente)\b"), 0),
    (re.compile(r"\b(?:l'? ?anno scorso|anno passato|l'? ?anno prima)\b"), -1),
    (re.compile(r"\b(?:l'? ?anno prossimo|prossimo anno)\b"), 1),
)
YearRange = tuple[int | None, int | None]


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def years_in(text: str | None, today: dt.date | None = None) -> set[int]:
    """The years a question is about: written out, or "quest'anno" and the like."""
    if not text:
        return set()
    folded = _fold(text)
    years = {int(y) for y in _YEAR.findall(folded)}
    current = (today or dt.date.today()).year
    for pattern, offset in _RELATIVE:
        if pattern.search(folded):
            years.add(current + offset)
    return years


def topic_years(years_field: str) -> YearRange | None:
    """When an answer holds, from its `years` field; None when it always holds.

    "2025-2027" → (2025, 2027); "dal 2016" → (2016, None); "fino al 2025" → (None, 2025);
    "vigente", "vigente (soglie 2025-2027)", "durata del progetto" → None.
    """
    found = [int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", years_field)]
    if not found or _fold(years_field).startswith("vigente"):
        return None
    start: int | None = min(found)
    end: int | None = max(found)
    folded = _fold(years_field)
    if re.search(r"\bdal\b", folded):
        end = None
    if re.search(r"\bfino al\b", folded):
        start = None
    if start is None and end is None:
        return None
    return start, end


def covers(span: YearRange | None, years: set[int], strict: bool = False) -> bool:
    """Whether an answer holding in `span` speaks of all these years.

    `strict`: an answer that always holds (span None) does not count, since it
    says nothing specific about a year.
    """
    if span is None:
        return not strict
    start, end = span
    return all((start is None or y >= start) and (end is None or y <= end) for y in years)
