from __future__ import annotations

import pytest

from bot.actions.followup import is_followup, names_only_a_moment


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


@pytest.mark.parametrize(
    "text",
    [
        "e nel 2025?",
        "e per il 2027?",
        "e adesso?",
        "2023?",
        "E quest'anno?",
        "e l'anno scorso.",
        "e nel 2025 quanto era?",
        "e nel 2023 invece?",
    ],
)
def test_a_year_or_a_moment_alone_names_no_subject(text: str) -> None:
    assert names_only_a_moment(text)


@pytest.mark.parametrize("text", ["e il tfr nel 2025?", "e se ho due figli?", "e quelli di carta?", "", None])
def test_a_follow_up_with_a_subject_is_not_only_a_moment(text: str | None) -> None:
    assert not names_only_a_moment(text)
