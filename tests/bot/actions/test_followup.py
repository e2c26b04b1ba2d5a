from __future__ import annotations

import pytest

from bot.actions.followup import is_followup


@pytest.mark.parametrize(
    "text",
    ["e per il 2027?", "E se ho due figli?", "ed è uguale per i soci?", "invece per le aziende?", "2027?", "nel 2023?"],
)
def test_follow_up_shapes(text: str) -> None:
    assert is_followup(text)


@pytest.mark.parametrize(
    "text",
    [
        "quanto valgono i buoni pasto nel 2026?",
        "esiste una soglia per i fringe benefit?",
        "e " + "molto " * 15 + "lungo",
        "",
        None,
    ],
)
def test_full_questions_are_not_follow_ups(text: str | None) -> None:
    assert not is_followup(text)
