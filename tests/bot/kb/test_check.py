from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from bot.kb import check
from tests.bot.conftest import topic_dict


def test_the_real_knowledge_base_passes_every_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert check.main([]) == 0
    assert capsys.readouterr().out.startswith("OK:")


def test_wording_and_figure_problems_fail_the_check(
    write_kb: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answer = "Forse fino a 999 € (art. 51 TUIR), ma non è stato letto direttamente.\n\nDettagli."
    path = write_kb("01_a.yml", [topic_dict("dubbio", answer=answer)])
    register = tmp_path / "sources.yml"
    entry = {"value": "10 €", "meaning": "m", "reference": "r", "source": "s", "years": "2026"}
    register.write_text(yaml.safe_dump({"figures": [entry]}), encoding="utf-8")
    monkeypatch.setattr(check, "REGISTER_FILE", register)
    problems = check.problems_of(check.load_files([path]), register, whole_kb=False)
    assert len(problems) == 2
    assert "[dubbio]" in problems[0] and "non e stato letto" in problems[0]
    assert "999 €" in problems[1]
    assert check.main([str(path)]) == 1
    assert "2 problemi" in capsys.readouterr().err
