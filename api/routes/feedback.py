"""👍/👎 votes on FAQ answers: written by the action server, read by the FAQ review."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from api import crud
from api.deps import SessionDep, require_service_token
from api.problem_docs import problem_responses
from api.schemas import (
    MAX_DB_INT,
    TOPIC_ID_PATTERN,
    FeedbackCreate,
    FeedbackCreated,
    FeedbackOut,
    FeedbackPage,
    FeedbackSummary,
    Vote,
)

router = APIRouter(
    prefix="/feedback",
    tags=["feedback"],
    dependencies=[Depends(require_service_token)],
    responses=problem_responses(status.HTTP_401_UNAUTHORIZED),
)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=FeedbackCreated)
def create_feedback(body: FeedbackCreate, session: SessionDep) -> FeedbackCreated:
    return FeedbackCreated.model_validate(crud.create_feedback(session, body))


@router.get("", response_model=FeedbackPage)
def list_feedback(
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500, description="Voti per pagina")] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_DB_INT, description="Voti da saltare")] = 0,
    topic_id: Annotated[str | None, Query(max_length=64, pattern=TOPIC_ID_PATTERN)] = None,
    vote: Annotated[Vote | None, Query()] = None,
) -> FeedbackPage:
    """Votes, newest first; `count` is the number matching the filters."""
    items, total = crud.list_feedback(session, limit=limit, offset=offset, topic_id=topic_id, vote=vote)
    return FeedbackPage(items=[FeedbackOut.model_validate(item) for item in items], count=total)


@router.get("/summary", response_model=FeedbackSummary)
def feedback_summary(session: SessionDep) -> FeedbackSummary:
    """👍 and 👎 per topic, the most disliked first."""
    return FeedbackSummary(items=crud.summarize_feedback(session))
