"""Data access: every query of the API lives here."""

from __future__ import annotations

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from api.models import Feedback
from api.schemas import FeedbackCreate, TopicVotes, Vote


def create_feedback(session: Session, data: FeedbackCreate) -> Feedback:
    feedback = Feedback(**data.model_dump())
    session.add(feedback)
    session.commit()
    return feedback


def _filtered(query: Select[Feedback], topic_id: str | None, vote: Vote | None) -> Select[Feedback]:
    if topic_id is not None:
        query = query.where(Feedback.topic_id == topic_id)
    if vote is not None:
        query = query.where(Feedback.vote == vote)
    return query


def list_feedback(
    session: Session,
    *,
    limit: int,
    offset: int = 0,
    topic_id: str | None = None,
    vote: Vote | None = None,
) -> tuple[list[Feedback], int]:
    """A page of votes, newest first, and how many match the filters in all."""
    query = _filtered(select(Feedback), topic_id, vote)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = session.scalars(
        query.order_by(Feedback.created_at.desc(), Feedback.id.desc()).limit(limit).offset(offset)
    ).all()
    return list(page), total


def summarize_feedback(session: Session) -> list[TopicVotes]:
    """👍 and 👎 per topic, the most disliked first (the FAQ review loop starts there)."""
    up = func.sum(case((Feedback.vote == "up", 1), else_=0))
    down = func.sum(case((Feedback.vote == "down", 1), else_=0))
    rows = session.execute(
        select(Feedback.topic_id, up.label("up"), down.label("down"))
        .group_by(Feedback.topic_id)
        .order_by(down.desc(), up.asc(), Feedback.topic_id.asc())
    ).all()
    return [TopicVotes(topic_id=topic_id, up=int(ups), down=int(downs)) for topic_id, ups, downs in rows]
