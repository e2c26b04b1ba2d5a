"""Figures in the answers and the register they must come from.

Every amount, percentage, threshold or count an answer states must appear in
`knowledge_base/sources.yml` with its meaning, legal reference, source and the
years it holds. This module finds the figures in a text and checks them against
the register; `python -m bot.kb.check` runs it on every answer.

What counts as a figure: an amount (`3.615,20 €`, `1.000/2.000 €`, `17 milioni`,
`200 mila €`), a percentage (`10%`, `5 per mille`), a quantity with a unit
(`100 km`, `60 giorni`, `75 anni`, `12 mesi`, `20 punti`) and a number written with
thousands separators (`19.066`). Years, dates and article numbers are not figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from bot.kb.model import Topic

REGISTER_FIELDS = ("value", "meaning", "reference", "source", "years")

_NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
_UNIT = (
    r"(?P<unit>€|euro\b|%|per mille\b|milion[ei](?: di euro)?\b|mila(?: €| euro\b)?|km\b|giorni\b|anni\b"
    r"|mesi\b|punti\b)"
)
# A number, optionally followed by a unit; "1.000/2.000 €" and "da 60 a 120 €"
# give the first number the unit of the second.
_FIGURE = re.compile(rf"(?<![\w.,-])(?P<number>{_NUMBER})(?!\w|[.,]\d)\s*(?:{_UNIT})?")
_RANGE_LINK = re.compile(r"\s*(?:/|-|–|e|a|o)\s*")
# Numbers that are not figures: dates, acts ("L. 207/2024", "n. 311/2021"),
# paragraphs and articles ("c.390-391", "art. 51"), measure codes ("1.8iv.3.2.6").
_NOT_FIGURES = re.compile(
    r"\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b\d+/\d{4}\b|\bc\.\s?\d+(?:-bis|-ter)?(?:-\d+)?|\bartt?\.\s?\d+"
    r"|\b\d+(?:\.\d+)*[a-z]+(?:\.\d+)+"
)
_YEAR = re.compile(r"(?:19|20)\d\d")
_UNIT_NAMES = {
    "€": "€",
    "euro": "€",
    "%": "%",
    "per mille": "per mille",
    "km": "km",
    "giorni": "giorni",
    "anni": "anni",
    "mesi": "mesi",
    "punti": "punti",
}


@dataclass(frozen=True, order=True)
class Figure:
    """A figure as a comparable value: 1.000/2.000 € gives (1000, €) and (2000, €)."""

    value: Decimal
    unit: str  # "€", "%", "per mille", "km", "giorni", "anni", "mesi", "punti" or "numero"

    def __str__(self) -> str:
        text = f"{self.value:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
        if text.endswith(",00"):
            text = text[:-3]
        return text if self.unit == "numero" else f"{text} {self.unit}"


def _number(text: str) -> Decimal:
    return Decimal(text.replace(".", "").replace(",", "."))


def _unit_of(raw: str) -> tuple[str, Decimal]:
    raw = raw.strip()
    if raw.startswith("milion"):
        return "€", Decimal(1_000_000)
    if raw.startswith("mila"):
        return "€", Decimal(1_000)
    return _UNIT_NAMES[raw], Decimal(1)


def figures_in(text: str) -> list[Figure]:
    """The figures a text states, in order of appearance (repeats included)."""
    plain = _NOT_FIGURES.sub(lambda m: " " * len(m.group(0)), text.replace("*", ""))
    found: list[tuple[int, int, Decimal, str | None, Decimal]] = []
    for match in _FIGURE.finditer(plain):
        raw_unit = match.group("unit")
        unit, factor = _unit_of(raw_unit) if raw_unit else (None, Decimal(1))
        found.append((match.start(), match.end(), _number(match.group("number")), unit, factor))
    figures: list[Figure] = []
    for index, (start, end, value, unit, factor) in enumerate(found):
        number = plain[start:end].strip()
        if unit is None and index + 1 < len(found) and not _YEAR.fullmatch(number):
            next_start, _, _, next_unit, next_factor = found[index + 1]
            if next_unit is not None and _RANGE_LINK.fullmatch(plain[end:next_start]):
                unit, factor = next_unit, next_factor
        if unit is None:
            if "." not in number:
                continue  # a plain small number: a year, a count
            unit = "numero"
        figures.append(Figure((value * factor).normalize(), unit))
    return figures


@dataclass(frozen=True)
class RegisteredFigure:
    value: str
    meaning: str
    reference: str
    source: str
    years: str
    figures: tuple[Figure, ...]


class RegisterError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def load_register(path: Path) -> list[RegisteredFigure]:
    """The register's entries; every problem is collected before failing."""
    name = path.name
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RegisterError([f"{name}: registro delle cifre illeggibile: {exc}"]) from None
    entries: Any = raw.get("figures") if isinstance(raw, dict) else None
    if not isinstance(entries, list) or not entries:
        raise RegisterError([f"{name}: serve un elenco 'figures' non vuoto"])
    problems: list[str] = []
    register: list[RegisteredFigure] = []
    for index, entry in enumerate(entries):
        where = f"{name} figures[{index}]"
        if not isinstance(entry, dict):
            problems.append(f"{where}: ogni cifra deve essere una mappa")
            continue
        missing = [f for f in REGISTER_FIELDS if not isinstance(entry.get(f), str) or not entry[f].strip()]
        unknown = sorted(set(entry) - set(REGISTER_FIELDS))
        if missing:
            problems.append(f"{where}: campi mancanti o vuoti: {', '.join(missing)}")
        if unknown:
            problems.append(f"{where}: campi sconosciuti: {', '.join(unknown)}")
        value = str(entry.get("value", ""))
        parsed = tuple(figures_in(value))
        if not parsed:
            problems.append(f"{where}: 'value' {value!r} non contiene una cifra riconoscibile")
        if missing or unknown or not parsed:
            continue
        fields = {f: entry[f].strip() for f in REGISTER_FIELDS}
        register.append(RegisteredFigure(**fields, figures=parsed))
    if problems:
        raise RegisterError(problems)
    return register


def unregistered(topics: list[Topic], register: list[RegisteredFigure], check_unused: bool = True) -> list[str]:
    """One problem per answer figure missing from the register, and per unused entry.

    `check_unused` is off when only some files are checked: the others use figures too.
    """
    known = {f for entry in register for f in entry.figures}
    problems: list[str] = []
    used: set[Figure] = set()
    for topic in topics:
        figures = figures_in(topic.answer)
        used.update(figures)
        missing = sorted({f for f in figures if f not in known})
        if missing:
            problems.append(
                f"{topic.source_file} [{topic.id}]: cifre assenti dal registro knowledge_base/sources.yml: "
                + ", ".join(str(f) for f in missing)
            )
    for entry in register if check_unused else ():
        if not any(f in used for f in entry.figures):
            problems.append(f"sources.yml: la cifra {entry.value!r} ({entry.meaning}) non compare in nessuna risposta")
    return problems
