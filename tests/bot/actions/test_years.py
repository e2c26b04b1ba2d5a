from __future__ import annotations

import datetime as dt

import pytest

from bot.actions.years import covers, topic_years, years_in

TODAY = dt.date(2026, 11, 30)


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("soglia fringe 2023", {2023}),
        ("premio di risultato 2024 e 2025", {2024, 2025}),
        ("e quest'anno?", {2026}),
        ("com'era l'anno scorso", {2025}),
        ("e l'anno prossimo?", {2027}),
        ("L. 207/2024 art. 1 c.390", set()),
        ("firmato il 24/04/2017", set()),
        ("un premio di 2.025 euro", set()),
        ("pdr 2016 limite 2000 euro", {2016}),
        ("fino a 2000 € di fringe nel 2024", {2024}),
        ("", set()),
    ],
)
def test_years_a_question_names(text: str, years: set[int]) -> None:
    assert years_in(text, TODAY) == years


@pytest.mark.parametrize(
    ("field", "span"),
    [
        ("2025-2027", (2025, 2027)),
        ("2026", (2026, 2026)),
        ("dal 2016", (2016, None)),
        ("dal 2026 (8 € elettronici fino al 2025)", None),
        ("5.164,57 € fino al 2025; 5.300 € dal 2026", None),
        ("2024 (certo); 2025-2027 da verificare", (2024, 2027)),
        ("vigente (soglie in deroga 2025-2027)", None),
        ("durata del progetto", None),
    ],
)
def test_when_an_answer_holds(field: str, span: tuple[int | None, int | None] | None) -> None:
    assert topic_years(field) == span


def test_coverage_of_years() -> None:
    assert covers((2025, 2027), {2025, 2027})
    assert not covers((2025, 2027), {2024, 2025})
    assert covers((2016, None), {2030})
    assert covers(None, {2023}) and not covers(None, {2023}, strict=True)
