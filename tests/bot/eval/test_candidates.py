from __future__ import annotations

from pathlib import Path

import yaml

from bot.actions.decision import DEFAULT_RULE
from bot.eval.candidates import CANDIDATES, PIPELINES, RULES
from bot.eval.run import TABLE, record
from bot.eval.score import Report, Tally
from bot.kb.loader import REPO_ROOT


def test_every_candidate_names_an_existing_pipeline_and_rule() -> None:
    for pipeline, rule in CANDIDATES.values():
        assert (REPO_ROOT / PIPELINES[pipeline]).exists()
        assert rule in RULES
    assert DEFAULT_RULE in RULES.values(), "the rule in use must be among the compared ones"


def test_pipelines_are_valid_rasa_configs_for_the_faq_retrieval_intent() -> None:
    for path in PIPELINES.values():
        config = yaml.safe_load((REPO_ROOT / path).read_text(encoding="utf-8"))
        names = [c["name"] for c in config["pipeline"]]
        assert "ResponseSelector" in names and names[-1] == "FallbackClassifier", path


def test_a_report_becomes_a_row_of_the_benchmarks_table(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text(f"# B\n\n## {TABLE}\n\n| date | candidate |\n|---|---|\n\n## Altro\n", encoding="utf-8")
    report = Report(label="prova", split="dev", in_scope=Tally(total=4, right=3, one_click=1), oos=2, oos_handled=2)
    record(report, doc)
    row = doc.read_text(encoding="utf-8").split("|---|---|\n", 1)[1].splitlines()[0]
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[1:4][0] == "prova" and cells[3] == "dev" and cells[4] == "4"
    assert cells[5:10] == ["0.750", "0.000", "0.250", "1.000", "0.000"]
    assert cells[10:12] == ["2", "1.000"]
