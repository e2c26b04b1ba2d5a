"""Append dated rows to the tables of docs/benchmarks.md.

Each table lives under a `## <heading>` and ends at the next blank line; rows are
appended at its end, so the history stays in order. Used by both environments,
so standard library only.
"""

from __future__ import annotations

from pathlib import Path


def append_row(path: Path, heading: str, row: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == f"## {heading}")
    except StopIteration:
        raise ValueError(f"{path}: manca la sezione '## {heading}'") from None
    table_start = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("|"))
    end = table_start
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    lines.insert(end, row if row.endswith("\n") else row + "\n")
    path.write_text("".join(lines), encoding="utf-8")
