from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.eval import parses


def test_slim_keeps_what_the_decision_reads() -> None:
    parse = {
        "text": "buoni pasto?",
        "intent": {"name": "faq", "confidence": 0.99, "id": 1},
        "entities": [{"entity": "x"}],
        "response_selector": {"faq": {"ranking": [{"intent_response_key": "faq/a", "confidence": 0.7, "id": 3}]}},
    }
    assert parses.slim(parse) == {
        "text": "buoni pasto?",
        "intent": {"name": "faq", "confidence": 0.99},
        "response_selector": {"faq": {"ranking": [{"intent_response_key": "faq/a", "confidence": 0.7}]}},
    }


def test_parses_are_cached_per_model_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPORTELLO_VAR_DIR", str(tmp_path / "var"))
    calls: list[list[str]] = []

    async def fake_parse_all(model: Path, texts: list[str]) -> dict[str, dict[str, Any]]:
        calls.append(texts)
        return {t: {"text": t} for t in texts}

    monkeypatch.setattr(parses, "_parse_all", fake_parse_all)
    model = tmp_path / "m.tar.gz"
    model.write_bytes(b"modello 1")
    assert parses.parses_for(model, ["a", "b", "a"]) == {"a": {"text": "a"}, "b": {"text": "b"}}
    assert parses.parses_for(model, ["b", "c"]) == {"b": {"text": "b"}, "c": {"text": "c"}}
    assert calls == [["a", "b"], ["c"]]
    model.write_bytes(b"modello 2")  # another model: nothing cached
    parses.parses_for(model, ["a"])
    assert calls[-1] == ["a"]
