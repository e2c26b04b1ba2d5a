"""What a reviewer does with a group of the inbox: assign it to a topic, make it a new
topic's draft, or dismiss it.

Each action takes the group's message ids (the inbox gives them), acts only on those
still pending (a colleague may have handled some meanwhile), writes the knowledge base
first and then records who reviewed what and when. `make train` then learns the new
questions and `make eval` measures the held-out figures again, so a review that made
the assistant worse shows up before it is committed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.monitoring import outcomes
from api.monitoring.days import local_day
from api.monitoring.models import MonitoredTurn
from api.monitoring.review import kb_files
from api.monitoring.review.kb_files import DEFAULT_HELDOUT, DEFAULT_KB_DIR

MAX_TURNS = 500


class NothingToReview(LookupError):
    """None of the messages is waiting for review (handled already, or unknown)."""


@dataclass
class ReviewResult:
    reviewed: list[int] = field(default_factory=list)
    not_pending: list[int] = field(default_factory=list)
    file: Path | None = None
    added: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    draft_id: str | None = None


def _pending(session: Session, turn_ids: Sequence[int]) -> tuple[list[MonitoredTurn], list[int]]:
    wanted = list(dict.fromkeys(turn_ids))[:MAX_TURNS]
    query = (
        select(MonitoredTurn)
        .where(MonitoredTurn.id.in_(wanted), MonitoredTurn.review == outcomes.PENDING)
        .order_by(MonitoredTurn.at, MonitoredTurn.id)
        .with_for_update()
    )
    turns = list(session.scalars(query))
    found = {turn.id for turn in turns}
    if not turns:
        raise NothingToReview("Nessuno di questi messaggi è ancora da rivedere.")
    return turns, [turn_id for turn_id in wanted if turn_id not in found]


def origin_note(turns: Sequence[MonitoredTurn], today: datetime) -> str:
    """Where the questions come from, for the comment above them in the knowledge base."""
    reasons: Counter[str] = Counter()
    for turn in turns:
        reasons.update(r for r in (turn.review_reasons or "").split(",") if r)
    why = ", ".join(outcomes.REASON_LABELS[r] for r in outcomes.REASONS if reasons[r])
    count = f"{len(turns)} messaggio" if len(turns) == 1 else f"{len(turns)} messaggi"
    return f"Dalla revisione del {local_day(today).isoformat()} (monitoraggio): {count}" + (f" ({why})" if why else "")


def _mark(turns: Sequence[MonitoredTurn], state: str, reviewer: str, now: datetime, topic: str | None) -> None:
    for turn in turns:
        turn.review = state
        turn.reviewed_at = now
        turn.reviewed_by = reviewer[:64]
        turn.review_topic = topic


def assign_to_topic(
    session: Session,
    turn_ids: Sequence[int],
    topic_id: str,
    *,
    reviewer: str,
    kb_dir: Path = DEFAULT_KB_DIR,
    heldout_path: Path = DEFAULT_HELDOUT,
    now: datetime | None = None,
) -> ReviewResult:
    """The messages become training questions of `topic_id` (kb_files.UnknownTopic if none)."""
    now = now or datetime.now(timezone.utc)
    turns, not_pending = _pending(session, turn_ids)
    written = kb_files.add_questions(
        topic_id, [t.text or "" for t in turns], origin_note(turns, now), kb_dir, heldout_path
    )
    _mark(turns, outcomes.ASSIGNED, reviewer, now, topic_id)
    session.commit()
    return ReviewResult(
        reviewed=[t.id for t in turns],
        not_pending=not_pending,
        file=written.file,
        added=written.added,
        skipped=written.skipped,
    )


def mark_new_topic(
    session: Session,
    turn_ids: Sequence[int],
    title: str,
    *,
    reviewer: str,
    kb_dir: Path = DEFAULT_KB_DIR,
    heldout_path: Path = DEFAULT_HELDOUT,
    now: datetime | None = None,
) -> ReviewResult:
    """A draft topic made of the messages, not answered until the content staff completes it."""
    now = now or datetime.now(timezone.utc)
    turns, not_pending = _pending(session, turn_ids)
    title = title.strip() or (turns[0].text or "Nuovo argomento")
    written = kb_files.add_draft(title, [t.text or "" for t in turns], origin_note(turns, now), kb_dir, heldout_path)
    _mark(turns, outcomes.NEW_TOPIC, reviewer, now, written.draft_id)
    session.commit()
    return ReviewResult(
        reviewed=[t.id for t in turns],
        not_pending=not_pending,
        file=written.file,
        added=written.added,
        skipped=written.skipped,
        draft_id=written.draft_id,
    )


def dismiss(session: Session, turn_ids: Sequence[int], *, reviewer: str, now: datetime | None = None) -> ReviewResult:
    """Nothing to learn from these messages: they leave the inbox."""
    now = now or datetime.now(timezone.utc)
    turns, not_pending = _pending(session, turn_ids)
    _mark(turns, outcomes.DISMISSED, reviewer, now, None)
    session.commit()
    return ReviewResult(reviewed=[t.id for t in turns], not_pending=not_pending)
