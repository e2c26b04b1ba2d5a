"""`make eval` compares with the last recorded figures and stops when a review made things worse."""

from __future__ import annotations

from pathlib import Path

from bot.eval.history import compare, last_recorded

HEADER = "| date | label | machine | split | in | right | wrong | click | r1 | nr | oos | oosh | fu | fur |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"  # noqa: E501


def _doc(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "benchmarks.md"
    path.write_text("# Cifre\n\n## Tabella\n\nTesto.\n\n" + HEADER + "".join(rows) + "\n## Altro\n", encoding="utf-8")
    return path


def _row(label: str, split: str, right: float, wrong: float) -> str:
    return (
        f"| 2026-11-30 | {label} | m | {split} | 168 | {right} | {wrong} | 0.05 | 0.96 | 0.02 | 41 | 1.0 | 26 | 0.9 |\n"
    )


def test_the_newest_row_of_the_same_split_and_label_is_the_before(tmp_path: Path) -> None:
    path = _doc(
        tmp_path,
        _row("config.yml", "test", 0.90, 0.01),
        _row("config.yml", "dev", 0.50, 0.5),
        _row("altro.yml", "test", 0.10, 0.9),
        _row("config.yml", "test", 0.91, 0.012),
    )
    before = last_recorded(path, "Tabella", "test", "config.yml")
    assert before == {
        "answered_right": 0.91,
        "answered_wrong": 0.012,
        "right_or_one_click": 0.96,
        "oos_handled": 1.0,
        "followups_right": 0.9,
    }
    assert last_recorded(path, "Tabella", "test", "nuovo.yml") is None


def test_a_drop_beyond_the_noise_is_named() -> None:
    before = {"answered_right": 0.91, "answered_wrong": 0.012, "right_or_one_click": 0.96, "oos_handled": 1.0,
              "followups_right": 0.9}  # fmt: skip
    same = {**before, "answered_right": 0.90}
    text, worse = compare(before, same)
    assert worse == [] and "0.910 → 0.900 (-0.010)" in text
    _, worse = compare(before, {**before, "answered_right": 0.85, "answered_wrong": 0.05})
    assert worse == ["risposte dirette giuste", "risposte dirette sbagliate"]
    assert compare(None, same) == ("Nessuna misura precedente con cui confrontare.", [])
