"""Fixtures shared by the bot tests: a small knowledge base and Rasa SDK objects."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.kb.loader import load_files
from bot.kb.model import KnowledgeBase

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test reads the developer's SPORTELLO_* variables or writes the repository's .var/."""
    for name in list(os.environ):
        if name.startswith("SPORTELLO_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SPORTELLO_VAR_DIR", str(tmp_path / "var"))
    yield


def topic_dict(topic_id: str, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": topic_id,
        "title": f"Titolo di {topic_id}",
        "audience": "entrambi",
        "answer": f"Risposta breve su {topic_id} (art. 51 TUIR).\n\nDettagli su {topic_id}.",
        "references": ["art. 51 TUIR"],
        "years": "2026",
        "last_reviewed": "2026-11-24",
        "uncertain": False,
        "questions": [f"domanda numero {i} su {topic_id.replace('_', ' ')}" for i in range(12)],
        "related": [],
    }
    data.update(overrides)
    return data


@pytest.fixture
def write_kb(tmp_path: Path) -> Callable[..., Path]:
    """Write a knowledge base file: write_kb("01_a.yml", [topic_dict(...)])."""

    def write(name: str, topics: list[dict[str, Any]], section: str = "sezione", raw: str | None = None) -> Path:
        path = tmp_path / name
        if raw is not None:
            path.write_text(textwrap.dedent(raw), encoding="utf-8")
        else:
            content = {"section": section, "title": "Sezione di prova", "topics": topics}
            path.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path

    return write


@pytest.fixture
def small_kb(write_kb: Callable[..., Path]) -> KnowledgeBase:
    path = write_kb(
        "01_prova.yml",
        [
            topic_dict("buoni_pasto", title="Buoni pasto", related=["fringe_soglie"]),
            topic_dict("fringe_soglie", title="Soglie dei fringe benefit"),
            topic_dict("babysitting", title="Baby-sitting", uncertain=True),
        ],
    )
    return load_files([path])
