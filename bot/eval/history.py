"""Before and after: a new `make eval` against the last one recorded in docs/benchmarks.md.

A review of the inbox adds training questions; this makes sure it never silently makes
the assistant worse: the figures that matter to users are compared with the previous
record of the same split and label, and a drop beyond the noise of one training run
stops `make eval` with an explanation.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

# (summary key, column in the recorded table, Italian label, higher is better)
COMPARED = (
    ("answered_right", 5, "risposte dirette giuste", True),
    ("answered_wrong", 6, "risposte dirette sbagliate", False),
    ("right_or_one_click", 8, "giuste subito o con un clic", True),
    ("oos_handled", 11, "fuori ambito gestite", True),
    ("followups_right", 13, "domande di seguito giuste", True),
)
# Two trainings of the same data move these figures by about two points (docs/benchmarks.md).
TOLERANCE = 0.02


def last_recorded(path: Path, table: str, split: str, label: str) -> dict[str, float] | None:
    """The newest row of `table` for this split and label, as the summary's keys."""
    lines = path.read_text(encoding="utf-8").splitlines()
    try:
        start = lines.index(f"## {table}")
    except ValueError:
        return None
    found = None
    for line in lines[start + 1 :]:
        if line.startswith("## "):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 14 or cells[1] != label or cells[3] != split:
            continue
        try:
            found = {key: float(cells[column]) for key, column, _, _ in COMPARED}
        except ValueError:
            continue
    return found


def compare(before: Mapping[str, float] | None, after: Mapping[str, Any]) -> tuple[str, list[str]]:
    """A before/after table in Italian, and the figures that got worse beyond the noise."""
    if before is None:
        return "Nessuna misura precedente con cui confrontare.", []
    lines = ["Prima → dopo (ultima misura registrata in docs/benchmarks.md):"]
    worse = []
    for key, _, label, higher_is_better in COMPARED:
        old, new = before[key], float(after[key])
        delta = new - old
        lines.append(f"  {label:32} {old:.3f} → {new:.3f} ({delta:+.3f})")
        if (-delta if higher_is_better else delta) > TOLERANCE:
            worse.append(label)
    return "\n".join(lines), worse
