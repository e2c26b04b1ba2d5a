from __future__ import annotations

import pytest

from bot.actions.selection import pick_suggestion

PROPOSED = ["fringe_soglie", "buoni_pasto", "babysitting"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("il primo", "fringe_soglie"),
        ("Quello in alto", "fringe_soglie"),
        ("la SECONDA opzione", "buoni_pasto"),
        ("2", "buoni_pasto"),
        ("scelgo il terzo", "babysitting"),
        ("l'ultimo proposto", "babysitting"),
    ],
)
def test_ordinals_point_to_the_proposed_topics(typed: str, expected: str) -> None:
    assert pick_suggestion(typed, PROPOSED) == expected


@pytest.mark.parametrize("typed", ["nessuno", "il primo o il secondo", "", None])
def test_no_or_ambiguous_ordinal_picks_nothing(typed: str | None) -> None:
    assert pick_suggestion(typed, PROPOSED) is None


def test_ordinal_beyond_the_proposals_or_without_proposals_picks_nothing() -> None:
    assert pick_suggestion("il terzo", PROPOSED[:2]) is None
    assert pick_suggestion("il primo", None) is None
    assert pick_suggestion("il primo", []) is None
