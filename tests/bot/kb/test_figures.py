from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from bot.kb.figures import Figure, RegisterError, figures_in, load_register, unregistered
from bot.kb.loader import load_files
from tests.bot.conftest import topic_dict


def _fig(value: str, unit: str = "€") -> Figure:
    return Figure(Decimal(value), unit)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("fino a **3.615,20 €** l'anno", [_fig("3615.20")]),
        ("1.000/2.000 € con figli a carico", [_fig("1000"), _fig("2000")]),
        ("sale da **60** a **120 €** l'anno", [_fig("60"), _fig("120")]),
        ("progetti da 80.000 a 250.000 €", [_fig("80000"), _fig("250000")]),
        ("17 milioni di euro, di cui 8,5 milioni", [_fig("17000000"), _fig("8500000")]),
        ("«fino a 200 mila €»", [_fig("200000")]),
        (
            "imposta dell'**1%**, il 9,19 % e il 5 per mille",
            [_fig("1", "%"), _fig("9.19", "%"), _fig("5", "per mille")],
        ),
        (
            "oltre 100 km, entro 60 giorni, almeno 75 anni, 12 mesi, 20 punti",
            [_fig("100", "km"), _fig("60", "giorni"), _fig("75", "anni"), _fig("12", "mesi"), _fig("20", "punti")],
        ),
        ("i contratti attivi erano 19.066", [_fig("19066", "numero")]),
    ],
)
def test_figures_are_found_with_their_unit(text: str, expected: list[Figure]) -> None:
    assert figures_in(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "L. 207/2024 art. 1 c.390-391",
        "firmati entro il 24/04/2017",
        "risposta AdE n. 311/2021",
        "misura 1.8iv.3.2.6",
        "art. 51 c.2 lett. f-bis TUIR",
        "nel 2025, 2026 e 2027",
        "al massimo 8 insieme",
    ],
)
def test_years_dates_and_legal_references_are_not_figures(text: str) -> None:
    assert figures_in(text) == []


def test_a_year_before_an_amount_does_not_take_its_unit() -> None:
    assert figures_in("5.300 € dal 2026 e 3.615,20 €") == [_fig("5300"), _fig("3615.20")]


def _register(tmp_path: Path, entries: list[dict[str, str]]) -> Path:
    path = tmp_path / "sources.yml"
    path.write_text(yaml.safe_dump({"figures": entries}, allow_unicode=True), encoding="utf-8")
    return path


def _entry(value: str, **overrides: str) -> dict[str, str]:
    entry = {"value": value, "meaning": "una soglia", "reference": "art. 51 TUIR", "source": "testo", "years": "2026"}
    entry.update(overrides)
    return entry


def test_answer_figures_missing_from_the_register_and_unused_entries_are_reported(
    write_kb: Callable[..., Path], tmp_path: Path
) -> None:
    answer = "Esenti fino a **10 €** al giorno e **4 €** se cartacei (art. 51 TUIR).\n\nDettagli."
    kb = load_files([write_kb("01_a.yml", [topic_dict("buoni_pasto", answer=answer)])])
    register = load_register(_register(tmp_path, [_entry("10 €"), _entry("258,23 €")]))
    problems = unregistered(kb.topics, register)
    assert len(problems) == 2
    assert problems[0].startswith("01_a.yml [buoni_pasto]") and problems[0].endswith("4 €")
    assert "258,23 €" in problems[1] and "non compare" in problems[1]
    assert unregistered(kb.topics, register, check_unused=False) == problems[:1]


def test_register_entries_need_every_field_and_a_figure(tmp_path: Path) -> None:
    path = _register(tmp_path, [_entry("10 €", source=""), _entry("dieci euro"), _entry("5%", extra="x")])
    with pytest.raises(RegisterError) as exc_info:
        load_register(path)
    problems = exc_info.value.problems
    assert len(problems) == 3
    assert "source" in problems[0] and "cifra riconoscibile" in problems[1] and "extra" in problems[2]


def test_the_real_register_loads_and_states_where_each_figure_holds() -> None:
    register = load_register(Path(__file__).resolve().parents[3] / "knowledge_base" / "sources.yml")
    assert len(register) >= 60
    assert all(e.reference and e.source and e.years for e in register)
