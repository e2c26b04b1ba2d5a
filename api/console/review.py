"""The review inbox (`/console/revisione`): what the assistant did not handle well becomes
training data. Administrators only (router-level `require_admin`): an action writes the
knowledge base, which is what the assistant answers from.

The page lists the groups of api/monitoring/review/inbox.py, largest first, with their
(already redacted) messages and why each is there; each group's forms assign it to a
topic, make it a new topic's draft, or dismiss it (api/monitoring/review/actions.py).
The answer to an action says which questions went in and which were left out and why,
and that `make train` and `make eval` follow, on the server: the web process never trains.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, status
from fastapi.responses import Response
from sqlalchemy.orm import Session

from api.console.auth import AdminDep, require_admin
from api.console.dashboard import DayText, InvalidPeriod, Period, read_period
from api.console.knowledge import KnowledgeBase, KnowledgeBaseDep, section_label, titles, topics
from api.console.pages import render
from api.console.sessions import OpenSession
from api.deps import SessionDep
from api.monitoring import outcomes
from api.monitoring.review import actions
from api.monitoring.review.actions import MAX_TURNS, ReviewResult
from api.monitoring.review.inbox import Group, inbox
from api.monitoring.review.kb_files import MAX_TITLE, KnowledgeBaseEditError, UnknownTopic

PAGE = "/console/revisione"
MAX_GROUPS = 30
TEXTS_SHOWN = 8
BAD_TURNS = "Il modulo non indica quali messaggi rivedere: ricarica la pagina e riprova."
NO_TOPIC = "Scegli l'argomento a cui aggiungere le domande."
UNREADABLE = "La base di conoscenza non si legge adesso: si può assegnare quando il file è di nuovo valido"
TRAIN_COMMANDS = "make train && make eval"

router = APIRouter(prefix=PAGE, include_in_schema=False, dependencies=[Depends(require_admin)])

Turns = Annotated[str, Form(alias="turni", max_length=MAX_TURNS * 12)]
Topic = Annotated[str, Form(alias="argomento", max_length=64)]
Title = Annotated[str, Form(alias="titolo", max_length=MAX_TITLE * 4)]
FormDay = Annotated[str, Form(max_length=32)]


@dataclass
class GroupView:
    number: int
    group: Group
    reasons: list[tuple[str, int]]
    texts: list[tuple[str, int]]
    more_texts: int

    @property
    def turns(self) -> str:
        return ",".join(map(str, self.group.turn_ids))


def group_view(number: int, group: Group) -> GroupView:
    reasons = [(outcomes.REASON_LABELS[r], group.reasons[r]) for r in outcomes.REASONS if group.reasons[r]]
    texts = group.texts.most_common()
    return GroupView(number, group, reasons, texts[:TEXTS_SHOWN], max(len(texts) - TEXTS_SHOWN, 0))


def topic_choices(kb: KnowledgeBase) -> list[tuple[str, list[tuple[str, str]]]]:
    """The topics for the select, by section (the knowledge base's files, in order)."""
    sections: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for topic in topics(kb.folder).values():
        sections[section_label(topic.file)].append((topic.id, topic.title))
    return list(sections.items())


def _turn_ids(text: str) -> list[int]:
    try:
        ids = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        ids = []
    if not ids or len(ids) > MAX_TURNS or any(n <= 0 for n in ids):
        raise ValueError(BAD_TURNS)
    return ids


def _page(
    request: Request,
    db: Session,
    user: OpenSession,
    kb: KnowledgeBase,
    period: Period,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    groups = inbox(db, period.start, period.end)
    try:
        choices = topic_choices(kb)
    except KnowledgeBaseEditError as exc:  # a file being edited by hand: assigning waits
        choices = []
        extra["error"] = extra.get("error") or f"{UNREADABLE} ({exc})"
    context = {
        "period": period,
        "form": {"dal": period.start.isoformat(), "al": period.end.isoformat()},
        "groups": [group_view(n, g) for n, g in enumerate(groups[:MAX_GROUPS], start=1)],
        "hidden_groups": max(len(groups) - MAX_GROUPS, 0),
        "pending": sum(g.size for g in groups),
        "choices": choices,
        "titles": titles(kb.folder),
        "train_commands": TRAIN_COMMANDS,
        "title_length": MAX_TITLE,
        **extra,
    }
    return render(request, "review.html", context, user=user, status_code=status_code)


def _period_or_default(dal: str, al: str) -> tuple[Period, str]:
    try:
        return read_period(dal, al), ""
    except InvalidPeriod as exc:
        return read_period("", ""), str(exc)


@router.get("")
def review_page(
    request: Request, db: SessionDep, user: AdminDep, kb: KnowledgeBaseDep, dal: DayText = "", al: DayText = ""
) -> Response:
    period, error = _period_or_default(dal, al)
    return _page(request, db, user, kb, period, status_code=400 if error else 200, error=error)


def _outcome(kb: KnowledgeBase, action: str, result: ReviewResult, target: str = "") -> dict[str, Any]:
    """What the page says after an action (the template writes it out)."""
    return {
        "action": action,
        "target": target,
        "reviewed": len(result.reviewed),
        "not_pending": len(result.not_pending),
        "file": kb.shown(result.file) if result.file is not None else "",
        "added": result.added,
        "skipped": result.skipped,
        "draft_id": result.draft_id,
    }


def _act(
    request: Request,
    db: Session,
    user: OpenSession,
    kb: KnowledgeBase,
    dal: str,
    al: str,
    turni: str,
    run: Any,
    action: str,
    target: str = "",
) -> Response:
    period, _ = _period_or_default(dal, al)
    try:
        result = run(_turn_ids(turni))
    except ValueError as exc:  # the form's ids, or a missing topic
        return _page(request, db, user, kb, period, status_code=status.HTTP_400_BAD_REQUEST, error=str(exc))
    except actions.NothingToReview as exc:
        db.rollback()
        message = f"{exc} Forse un collega li ha già rivisti: ecco la revisione aggiornata."
        return _page(request, db, user, kb, period, status_code=status.HTTP_409_CONFLICT, error=message)
    except UnknownTopic as exc:
        db.rollback()
        return _page(request, db, user, kb, period, status_code=status.HTTP_400_BAD_REQUEST, error=str(exc))
    except KnowledgeBaseEditError as exc:
        db.rollback()
        message = f"Non ho modificato la base di conoscenza: {exc}"
        return _page(request, db, user, kb, period, status_code=status.HTTP_409_CONFLICT, error=message)
    return _page(request, db, user, kb, period, outcome=_outcome(kb, action, result, target))


@router.post("/assegna")
def assign(
    request: Request,
    db: SessionDep,
    user: AdminDep,
    kb: KnowledgeBaseDep,
    turni: Turns = "",
    argomento: Topic = "",
    dal: FormDay = "",
    al: FormDay = "",
) -> Response:
    topic_id = argomento.strip()

    def run(ids: list[int]) -> ReviewResult:
        if not topic_id:
            raise ValueError(NO_TOPIC)
        return actions.assign_to_topic(
            db, ids, topic_id, reviewer=user.operator.username, kb_dir=kb.folder, heldout_path=kb.heldout
        )

    return _act(request, db, user, kb, dal, al, turni, run, "assegnati", topic_id)


@router.post("/nuovo")
def new_topic(
    request: Request,
    db: SessionDep,
    user: AdminDep,
    kb: KnowledgeBaseDep,
    turni: Turns = "",
    titolo: Title = "",
    dal: FormDay = "",
    al: FormDay = "",
) -> Response:
    def run(ids: list[int]) -> ReviewResult:
        return actions.mark_new_topic(
            db, ids, titolo, reviewer=user.operator.username, kb_dir=kb.folder, heldout_path=kb.heldout
        )

    return _act(request, db, user, kb, dal, al, turni, run, "bozza", " ".join(titolo.split()))


@router.post("/scarta")
def dismiss(
    request: Request,
    db: SessionDep,
    user: AdminDep,
    kb: KnowledgeBaseDep,
    turni: Turns = "",
    dal: FormDay = "",
    al: FormDay = "",
) -> Response:
    def run(ids: list[int]) -> ReviewResult:
        return actions.dismiss(db, ids, reviewer=user.operator.username)

    return _act(request, db, user, kb, dal, al, turni, run, "scartati")
