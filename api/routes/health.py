"""Liveness and database check, for run_all.py and monitoring (no authentication)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, status
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.deps import SessionDep
from api.errors import DATABASE_UNAVAILABLE, problem_response
from api.problem_docs import problem_responses
from api.schemas import HealthOut
from sportello.problems import problem

logger = logging.getLogger(__name__)

router = APIRouter(tags=["health"])

DATABASE_DOWN = "non raggiungibile"


@router.get(
    "/health",
    response_model=HealthOut,
    responses=problem_responses(
        status.HTTP_503_SERVICE_UNAVAILABLE, descriptions={503: "Database non raggiungibile: `database` dice perché"}
    ),
)
def health(session: SessionDep) -> HealthOut | JSONResponse:
    """200 when the database answers; otherwise a 503 problem whose `database` says why."""
    try:
        session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        logger.warning("Health check: database non raggiungibile: %r", exc)
        return problem_response(503, problem(503, DATABASE_UNAVAILABLE, database=DATABASE_DOWN))
    return HealthOut(status="ok", database="ok")
