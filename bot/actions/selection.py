"""Which of the proposed topics a typed reply ("il secondo", "l'ultimo") points to.

Buttons carry the topic id; people who type instead of tapping (or whose client
shows no buttons) answer with an ordinal, which only makes sense against the
suggestions the bot has just offered.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

_ORDINALS = {
    "primo": 0, "prima": 0, "1": 0, "uno": 0, "alto": 0,
    "secondo": 1, "seconda": 1, "2": 1, "due": 1,
    "terzo": 2, "terza": 2, "3": 2, "tre": 2,
    "ultimo": -1, "ultima": -1, "basso": -1,
}  # fmt: skip


def _words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return re.findall(r"[a-z0-9]+", folded)


def pick_suggestion(text: str | None, suggestions: Sequence[str] | None) -> str | None:
    """The suggested topic the text refers to, or None when it names none (or several)."""
    if not text or not suggestions:
        return None
    positions = {_ORDINALS[w] for w in _words(text) if w in _ORDINALS}
    if len(positions) != 1:
        return None
    (position,) = positions
    if position >= len(suggestions):
        return None
    return suggestions[position]
