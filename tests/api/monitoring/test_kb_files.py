"""Reviewed messages written into (a copy of) the knowledge base, layout untouched."""

from __future__ import annotations

import difflib
import shutil
import textwrap
from pathlib import Path

import pytest
import yaml

from api.monitoring.review import kb_files
from api.monitoring.review.kb_files import DRAFTS_FILE, KnowledgeBaseEditError, UnknownTopic
from sportello.paths import REPO_ROOT

NOTE = "Dalla revisione del 2026-03-10 (monitoraggio): 2 messaggi (non capito)"


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    """A copy of the real knowledge base: the repository's files are never written."""
    copy = tmp_path / "knowledge_base"
    shutil.copytree(REPO_ROOT / "knowledge_base", copy)
    return copy


@pytest.fixture
def heldout(tmp_path: Path) -> Path:
    path = tmp_path / "heldout.yml"
    path.write_text('in_scope:\n  - text: "Domanda di verifica sul welfare"\n    topic: x\n', encoding="utf-8")
    return path


def _first_topic(kb: Path) -> tuple[Path, str, list[str]]:
    path = sorted(kb.glob("[0-9][0-9]_*.yml"))[2]
    topic = yaml.safe_load(path.read_text(encoding="utf-8"))["topics"][1]
    return path, topic["id"], topic["questions"]


def test_questions_go_after_the_topics_last_question_and_nothing_else_moves(kb: Path, heldout: Path) -> None:
    path, topic_id, questions = _first_topic(kb)
    before = path.read_text(encoding="utf-8")
    new = ['posso pagare la retta del nido "privato" col welfare?', "nido privato rimborsabile con il welfare"]
    written = kb_files.add_questions(topic_id, new, NOTE, kb, heldout)
    after = path.read_text(encoding="utf-8")
    assert written.file == path and written.added == new and written.skipped == []
    added_lines = [line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:2] in ("+ ", "- ")]
    assert [line[2:].strip() for line in added_lines] == [
        f"# {NOTE}",
        '- "posso pagare la retta del nido \\"privato\\" col welfare?"',
        '- "nido privato rimborsabile con il welfare"',
    ]
    data = yaml.safe_load(after)
    topic = next(t for t in data["topics"] if t["id"] == topic_id)
    assert topic["questions"] == [*questions, *new]
    # Right after the last question, at its indentation.
    last = f'- "{questions[-1]}"' if f'- "{questions[-1]}"' in before else questions[-1]
    lines = after.splitlines()
    index = next(i for i, line in enumerate(lines) if last in line)
    assert lines[index + 1].strip() == f"# {NOTE}"
    assert len(lines[index + 1]) - len(lines[index + 1].lstrip()) == len(lines[index]) - len(lines[index].lstrip())


def test_what_would_break_the_checks_or_the_evaluation_is_left_out(kb: Path, heldout: Path) -> None:
    path, topic_id, questions = _first_topic(kb)
    other = yaml.safe_load(sorted(kb.glob("0*.yml"))[0].read_text(encoding="utf-8"))["topics"][0]
    before = path.read_text(encoding="utf-8")
    written = kb_files.add_questions(
        topic_id,
        [
            "mi chiamo [nome rimosso] e vorrei il rimborso",
            other["questions"][0].upper(),  # in another topic (case does not matter)
            questions[0],
            "domanda di verifica sul welfare!",
            "   ",
            "una domanda nuova davvero",
            "Una domanda nuova, davvero",
        ],
        NOTE,
        kb,
        heldout,
    )
    assert written.added == ["una domanda nuova davvero"]
    reasons = [reason for _, reason in written.skipped]
    assert reasons[0] == kb_files.REASON_FORBIDDEN
    assert reasons[1] == kb_files.REASON_DUPLICATE.format(topic=other["id"])
    assert reasons[2] == kb_files.REASON_DUPLICATE.format(topic=topic_id)
    assert reasons[3] == kb_files.REASON_HELDOUT and reasons[4] == kb_files.REASON_EMPTY
    assert path.read_text(encoding="utf-8") != before
    nothing = kb_files.add_questions(topic_id, ["[email rimossa]"], NOTE, kb, heldout)
    assert nothing.added == [] and "una domanda nuova davvero" in path.read_text(encoding="utf-8")


def test_an_unknown_topic_writes_nothing(kb: Path, heldout: Path) -> None:
    before = {p: p.read_text(encoding="utf-8") for p in kb.glob("*.yml")}
    with pytest.raises(UnknownTopic):
        kb_files.add_questions("argomento_inesistente", ["una domanda"], NOTE, kb, heldout)
    assert {p: p.read_text(encoding="utf-8") for p in kb.glob("*.yml")} == before


def test_other_layouts_comments_and_a_last_topic_without_final_newline(tmp_path: Path, heldout: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    path = kb / "01_prova.yml"
    path.write_text(
        textwrap.dedent(
            """\
            section: prova
            title: "Prova"
            topics:
            - id: primo
              title: Primo
              questions:
              # domande scritte a mano
              - prima domanda
              - >-
                una domanda
                su due righe
              related: []
            - id: secondo   # l'ultimo
              title: Secondo
              questions:
                - 'uno'
                - "due\""""
        ),
        encoding="utf-8",
    )
    kb_files.add_questions("primo", ["nuova del primo"], NOTE, kb, heldout)
    kb_files.add_questions("secondo", ["nuova del secondo"], NOTE, kb, heldout)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["topics"][0]["questions"] == ["prima domanda", "una domanda su due righe", "nuova del primo"]
    assert data["topics"][0]["related"] == []
    assert data["topics"][1]["questions"] == ["uno", "due", "nuova del secondo"]
    assert "# domande scritte a mano" in path.read_text(encoding="utf-8")


def test_a_flow_list_of_questions_is_not_touched(tmp_path: Path, heldout: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    path = kb / "01_prova.yml"
    path.write_text("section: prova\ntopics:\n  - id: primo\n    questions: [a, b]\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseEditError):
        kb_files.add_questions("primo", ["nuova"], NOTE, kb, heldout)
    assert path.read_text(encoding="utf-8").endswith("[a, b]\n")


def test_a_new_topic_becomes_a_draft_outside_the_generated_files(kb: Path, heldout: Path) -> None:
    first = kb_files.add_draft(
        "Veterinario e welfare", ["posso pagare il veterinario?", "veterinario welfare"], NOTE, kb, heldout
    )
    second = kb_files.add_draft("Veterinario e welfare", ["spese veterinarie col welfare"], NOTE, kb, heldout)
    path = kb / DRAFTS_FILE
    assert first.file == second.file == path and not path.match("[0-9][0-9]_*.yml")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Bozze di nuovi argomenti")
    drafts = yaml.safe_load(text)["drafts"]
    assert [d["id"] for d in drafts] == ["bozza_veterinario_welfare", "bozza_veterinario_welfare_2"]
    assert drafts[0]["questions"] == ["posso pagare il veterinario?", "veterinario welfare"]
    assert drafts[0]["origin"] == NOTE and drafts[0]["answer"] == ""
    assert first.draft_id == "bozza_veterinario_welfare"


def test_drafts_emptied_by_the_content_staff_get_new_ones(kb: Path, heldout: Path) -> None:
    (kb / DRAFTS_FILE).write_text("# le bozze\ndrafts: []\n", encoding="utf-8")
    kb_files.add_draft("Asili aziendali", ["asilo aziendale welfare"], NOTE, kb, heldout)
    data = yaml.safe_load((kb / DRAFTS_FILE).read_text(encoding="utf-8"))
    assert [d["title"] for d in data["drafts"]] == ["Asili aziendali"]
