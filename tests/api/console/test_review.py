"""The review inbox page (`/console/revisione`) and its actions, on a temporary copy of the
knowledge base (the page's `knowledge_base` dependency points there: the real one is never written)."""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from api.console.knowledge import KnowledgeBase, knowledge_base
from api.console.review import BAD_TURNS, NO_TOPIC
from api.monitoring import outcomes
from api.monitoring.models import MonitoredTurn
from api.monitoring.review.kb_files import DRAFTS_FILE, REASON_HELDOUT
from api.operators.models import Operator
from api.settings import Settings
from sportello.paths import REPO_ROOT
from tests.api.console.dashboard_data import MONOPATTINO, PERIOD, VET, seed
from tests.api.console.support import HTML, sign_in

TOPIC = "buoni_pasto"
_GROUP = re.compile(
    r'<h3 id="gruppo-(\d+)"><span class="nascosto">Gruppo \d+: </span>«([^»]*)» <span class="quanti">(\d+) messagg'
)
_TURNS = re.compile(r'name="turni" value="([0-9,]+)"')


@pytest.fixture
def kb(tmp_path: Path, app: FastAPI) -> Iterator[KnowledgeBase]:
    """A copy of the knowledge base, and a held-out set with one of the messages in it."""
    copy = tmp_path / "knowledge_base"
    shutil.copytree(REPO_ROOT / "knowledge_base", copy)
    heldout = tmp_path / "heldout.yml"
    heldout.write_text(yaml.safe_dump({"test": [{"text": VET[2], "expected": TOPIC}]}), encoding="utf-8")
    paths = KnowledgeBase(copy, heldout)
    app.dependency_overrides[knowledge_base] = lambda: paths
    yield paths
    app.dependency_overrides.pop(knowledge_base, None)


@pytest.fixture
def marta(client: TestClient, engine: Engine, settings: Settings, admin: Operator, kb: KnowledgeBase) -> str:
    """The administrator's CSRF token; the seeded messages are waiting for review."""
    seed(engine, settings.monitoring_key.get_secret_value(), with_review=True)
    return sign_in(client, engine, settings, admin)


def _inbox(client: TestClient) -> str:
    response = client.get("/console/revisione", params=PERIOD, headers=HTML)
    assert response.status_code == 200, response.text
    return response.text


def _groups(page: str) -> dict[str, tuple[int, str]]:
    """Each group's representative message → (size, its messages' ids as the forms send them)."""
    found = {}
    for article in page.split('<article aria-labelledby="gruppo-')[1:]:
        match = _GROUP.search('<h3 id="gruppo-' + article.split("</h3>", 1)[0] + "</h3>")
        turns = _TURNS.search(article)
        assert match and turns
        found[html.unescape(match.group(2))] = (int(match.group(3)), turns.group(1))
    return found


def _post(client: TestClient, action: str, csrf: str, **form: str) -> tuple[int, str]:
    """The action's status and the page's text as read (no tags)."""
    response = client.post(f"/console/revisione/{action}", data={"csrf_token": csrf, **PERIOD, **form}, headers=HTML)
    return response.status_code, html.unescape(re.sub(r"<[^>]+>", "", response.text))


def _reviews(engine: Engine, turns: str) -> set[tuple[str | None, str | None, str | None]]:
    ids = [int(n) for n in turns.split(",")]
    with Session(engine) as session:
        query = select(MonitoredTurn.review, MonitoredTurn.reviewed_by, MonitoredTurn.review_topic)
        return {tuple(row) for row in session.execute(query.where(MonitoredTurn.id.in_(ids)))}  # type: ignore[misc]


def test_the_inbox_shows_groups_largest_first_with_their_messages_and_reasons(client: TestClient, marta: str) -> None:
    page = _inbox(client)
    text = html.unescape(page)
    groups = _groups(page)
    sizes = [size for size, _ in groups.values()]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] == 3
    vet = next(key for key in groups if "veterinario" in key)
    assert groups[vet][0] == 3 and next(iter(groups)) == vet
    assert all(message in text for message in VET + MONOPATTINO)
    assert "Perché è qui:</strong> non capito (3)" in text
    # Followed by a request for a person: there, and why.
    assert '«la mia pensione» <span class="quanti">1 messaggio</span></h3>' in text
    assert "Perché è qui:</strong> passato a un operatore (1)" in text
    assert "«buoni pasto 2026»" not in text  # answered with confidence: nothing to review
    # One select of the knowledge base's topics (the copy's) per group, none chosen for the reviewer.
    assert text.count(f'<option value="{TOPIC}">Buoni pasto: limiti esenti 2026 ({TOPIC})</option>') == len(groups)
    assert " selected" not in page.split('name="argomento"', 1)[1].split("</select>", 1)[0]
    assert "make train &amp;&amp; make eval" in page  # the commands that follow, not run from here


def test_assigning_a_group_writes_its_questions_into_the_knowledge_base_copy(
    client: TestClient, marta: str, kb: KnowledgeBase, engine: Engine
) -> None:
    size, turns = next(value for key, value in _groups(_inbox(client)).items() if "veterinario" in key)
    status, page = _post(client, "assegna", marta, turni=turns, argomento=TOPIC)
    assert status == 200
    assert "Aggiunte 2 domande all'argomento «Buoni pasto: limiti esenti 2026» (buoni_pasto)" in page
    assert "in knowledge_base/02_servizi_art51.yml" in page
    assert f"«{VET[2]}»: {REASON_HELDOUT}" in page
    assert "make train && make eval" in page
    # The copy has the questions under the topic, with where they come from; the real one does not.
    written = kb.folder / "02_servizi_art51.yml"
    topic = next(t for t in yaml.safe_load(written.read_text(encoding="utf-8"))["topics"] if t["id"] == TOPIC)
    assert topic["questions"][-2:] == VET[:2]
    assert "(monitoraggio): 3 messaggi (non capito)" in written.read_text(encoding="utf-8")
    assert VET[0] not in (REPO_ROOT / "knowledge_base" / "02_servizi_art51.yml").read_text(encoding="utf-8")
    assert _reviews(engine, turns) == {(outcomes.ASSIGNED, "marta.admin", TOPIC)}
    assert not any("veterinario" in key for key in _groups(_inbox(client)))
    # The same group again (a colleague's page, or a reload): nothing left to do, and said so.
    again, page = _post(client, "assegna", marta, turni=turns, argomento=TOPIC)
    assert again == 409 and "Nessuno di questi messaggi è ancora da rivedere" in page
    assert size == 3


def test_a_new_topic_becomes_a_draft_the_assistant_does_not_answer(
    client: TestClient, marta: str, kb: KnowledgeBase, engine: Engine
) -> None:
    _, turns = next(value for key, value in _groups(_inbox(client)).items() if "monopattino" in key)
    status, page = _post(client, "nuovo", marta, turni=turns, titolo="Monopattini e welfare")
    assert status == 200
    assert "Creata la bozza «Monopattini e welfare» (bozza_monopattini_welfare)" in page
    assert "in knowledge_base/bozze.yml con 2 domande" in page
    drafts = yaml.safe_load((kb.folder / DRAFTS_FILE).read_text(encoding="utf-8"))["drafts"]
    assert drafts[-1]["id"] == "bozza_monopattini_welfare" and drafts[-1]["questions"] == MONOPATTINO
    assert not (REPO_ROOT / "knowledge_base" / DRAFTS_FILE).exists() or "monopattino" not in (
        REPO_ROOT / "knowledge_base" / DRAFTS_FILE
    ).read_text(encoding="utf-8")
    assert _reviews(engine, turns) == {(outcomes.NEW_TOPIC, "marta.admin", "bozza_monopattini_welfare")}


def test_dismissing_a_group(client: TestClient, marta: str, engine: Engine) -> None:
    groups = _groups(_inbox(client))
    _, turns = next(value for key, value in groups.items() if "monopattino" in key)
    status, page = _post(client, "scarta", marta, turni=turns)
    assert status == 200 and "2 messaggi scartati: escono dalla revisione." in page
    assert _reviews(engine, turns) == {(outcomes.DISMISSED, "marta.admin", None)}
    assert len(_groups(_inbox(client))) == len(groups) - 1


def test_a_group_partly_reviewed_by_a_colleague(client: TestClient, marta: str, engine: Engine) -> None:
    _, turns = next(value for key, value in _groups(_inbox(client)).items() if "monopattino" in key)
    first = turns.split(",")[0]
    assert _post(client, "scarta", marta, turni=first)[0] == 200
    status, page = _post(client, "scarta", marta, turni=turns)
    assert status == 200 and "1 messaggio scartato" in page
    assert "1 messaggio del gruppo era già stato rivisto da qualcun altro" in page


@pytest.mark.parametrize(
    ("form", "status", "message"),
    [
        ({"argomento": ""}, 400, NO_TOPIC),
        ({"argomento": "non_esiste"}, 400, "L'argomento «non_esiste» non esiste nella base di conoscenza."),
        ({"argomento": TOPIC, "turni": "uno,due"}, 400, BAD_TURNS),
        ({"argomento": TOPIC, "turni": ""}, 400, BAD_TURNS),
    ],
)
def test_a_refused_assignment_leaves_everything_as_it_was(
    client: TestClient, marta: str, kb: KnowledgeBase, engine: Engine, form: dict[str, str], status: int, message: str
) -> None:
    _, turns = next(value for key, value in _groups(_inbox(client)).items() if "veterinario" in key)
    before = (kb.folder / "02_servizi_art51.yml").read_bytes()
    got, page = _post(client, "assegna", marta, **{"turni": turns, **form})
    assert got == status and message in page
    assert (kb.folder / "02_servizi_art51.yml").read_bytes() == before
    assert _reviews(engine, turns) == {(outcomes.PENDING, None, None)}


def test_nothing_to_review(client: TestClient, engine: Engine, settings: Settings, admin: Operator) -> None:
    sign_in(client, engine, settings, admin)
    page = _inbox(client)
    assert "Niente da rivedere in questo periodo." in page and "Da rivedere: 0 messaggi in 0 gruppi" in page


def test_a_knowledge_base_file_that_does_not_parse_stops_assignments_not_the_page(
    client: TestClient, marta: str, kb: KnowledgeBase
) -> None:
    (kb.folder / "02_servizi_art51.yml").write_text("topics: [rotto\n", encoding="utf-8")  # mid-edit
    page = html.unescape(_inbox(client))
    assert "La base di conoscenza non si legge adesso" in page and "02_servizi_art51.yml" in page
    assert "<optgroup" not in page and all(message in page for message in VET)
