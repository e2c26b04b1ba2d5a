"""The reviewer's actions: inbox → knowledge base (a copy) and the messages' review state."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.monitoring import outcomes
from api.monitoring.ingest import IngestResult
from api.monitoring.models import MonitoredTurn
from api.monitoring.review import actions
from api.monitoring.review.inbox import inbox
from api.monitoring.review.kb_files import DRAFTS_FILE, UnknownTopic
from sportello.paths import REPO_ROOT
from tests.api.monitoring.rasa_events import Conversation

NOW = datetime(2026, 3, 10, 9, tzinfo=timezone.utc)
PERIOD = (date(2026, 3, 1), date(2026, 3, 31))
VET = [
    "posso pagare il veterinario col welfare?",
    "Posso pagare il veterinario con il welfare",
    "veterinario e welfare",
]
MONOPATTINO = ["monopattino elettrico pagato col welfare?", "posso pagare il monopattino elettrico col welfare"]


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    copy = tmp_path / "knowledge_base"
    shutil.copytree(REPO_ROOT / "knowledge_base", copy)
    return copy


@pytest.fixture
def heldout(tmp_path: Path) -> Path:
    path = tmp_path / "heldout.yml"
    path.write_text("in_scope: []\n", encoding="utf-8")
    return path


@pytest.fixture
def groups(store: Callable[..., IngestResult], session: Session) -> list[list[int]]:
    conversation = Conversation("rest-r").start()
    for text in VET + MONOPATTINO:
        conversation.not_understood(text)
    store(conversation.events)
    return [group.turn_ids for group in inbox(session, *PERIOD)]


def _topic(kb: Path, index: int = 0) -> tuple[Path, str]:
    path = sorted(kb.glob("[0-9][0-9]_*.yml"))[2]
    return path, yaml.safe_load(path.read_text(encoding="utf-8"))["topics"][index]["id"]


def _turns(session: Session, ids: list[int]) -> list[MonitoredTurn]:
    session.expire_all()
    return list(session.scalars(select(MonitoredTurn).where(MonitoredTurn.id.in_(ids))))


def test_assigning_a_group_adds_its_messages_as_questions_of_the_topic(
    groups: list[list[int]], session: Session, kb: Path, heldout: Path
) -> None:
    path, topic_id = _topic(kb)
    vet = groups[0]
    result = actions.assign_to_topic(session, vet, topic_id, reviewer="anna", kb_dir=kb, heldout_path=heldout, now=NOW)
    assert sorted(result.reviewed) == sorted(vet) and result.file == path
    assert result.added == VET  # oldest first; "col" and "con il" make two questions
    assert result.not_pending == []
    text = path.read_text(encoding="utf-8")
    assert "# Dalla revisione del 2026-03-10 (monitoraggio): 3 messaggi (non capito)" in text
    assert {(t.review, t.reviewed_by, t.review_topic) for t in _turns(session, vet)} == {
        (outcomes.ASSIGNED, "anna", topic_id)
    }
    assert [g.turn_ids for g in inbox(session, *PERIOD)] == [groups[1]]
    with pytest.raises(actions.NothingToReview):
        actions.assign_to_topic(session, vet, topic_id, reviewer="anna", kb_dir=kb, heldout_path=heldout)


def test_an_unknown_topic_leaves_the_messages_pending(
    groups: list[list[int]], session: Session, kb: Path, heldout: Path
) -> None:
    with pytest.raises(UnknownTopic):
        actions.assign_to_topic(session, groups[0], "non_esiste", reviewer="anna", kb_dir=kb, heldout_path=heldout)
    session.rollback()
    assert {t.review for t in _turns(session, groups[0])} == {outcomes.PENDING}


def test_a_new_topic_is_a_draft_and_the_messages_point_to_it(
    groups: list[list[int]], session: Session, kb: Path, heldout: Path
) -> None:
    result = actions.mark_new_topic(
        session, groups[1], "Monopattini e welfare", reviewer="luca", kb_dir=kb, heldout_path=heldout
    )
    assert result.draft_id == "bozza_monopattini_welfare" and result.file == kb / DRAFTS_FILE
    assert {(t.review, t.review_topic) for t in _turns(session, groups[1])} == {
        (outcomes.NEW_TOPIC, "bozza_monopattini_welfare")
    }


def test_dismissing_and_messages_already_handled(groups: list[list[int]], session: Session) -> None:
    first = actions.dismiss(session, groups[1][:1], reviewer="anna")
    result = actions.dismiss(session, groups[1] + [999_999], reviewer="luca")
    assert result.reviewed == groups[1][1:]
    assert sorted(result.not_pending) == sorted([*first.reviewed, 999_999])
    assert {t.review for t in _turns(session, groups[1])} == {outcomes.DISMISSED}


GENERATE = """
import json, sys
from pathlib import Path
from bot.kb.check import problems_of
from bot.kb.generate import build, NLU_FILE
from bot.kb.loader import load_knowledge_base
import yaml
kb_dir = Path(sys.argv[1])
kb = load_knowledge_base(kb_dir)  # every check of the loader, links included
problems = problems_of(kb, kb_dir / "sources.yml")
nlu = yaml.safe_load(build(kb)[NLU_FILE])["nlu"]
print(json.dumps({"problems": problems, "topics": [t.id for t in kb.topics],
                  "examples": {e["intent"]: e["examples"] for e in nlu}}))
"""


@pytest.mark.slow
def test_inbox_to_knowledge_base_to_generated_training_data(
    groups: list[list[int]], session: Session, kb: Path, heldout: Path
) -> None:
    import json

    _, topic_id = _topic(kb)
    actions.assign_to_topic(session, groups[0], topic_id, reviewer="anna", kb_dir=kb, heldout_path=heldout)
    draft = actions.mark_new_topic(
        session, groups[1], "Monopattini e welfare", reviewer="anna", kb_dir=kb, heldout_path=heldout
    )
    # What `make generate` does, on the copy: the Rasa environment's loader and generator.
    run = subprocess.run(
        [str(REPO_ROOT / ".venv-bot" / "bin" / "python"), "-c", GENERATE, str(kb)],
        cwd=REPO_ROOT,
        env={"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    generated = json.loads(run.stdout)
    assert generated["problems"] == []
    examples = generated["examples"][f"faq/{topic_id}"]
    assert all(f"- {question}\n" in examples for question in VET)
    # The draft is not a topic: nothing answers it, nothing trains on it.
    assert draft.draft_id not in generated["topics"]
    assert not any("monopattino" in text for text in generated["examples"].values())
    assert sys.executable  # the app environment ran the review, the Rasa one the generator
