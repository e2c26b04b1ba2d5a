"""Liveness and database check, for run_all.py and monitoring (no authentication)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, status
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.deps import SessionDep
from api.schemas import HealthOut

logger = logging.getLogger(__name__)

router = APIRouter(tags=["health"])

DATABASE_DOWN = "non raggiungibile"


@router.get(
    "/health",
    response_model=HealthOut,
    responses={status.HTTP_503_SERVICE_UNAVAILABLE: {"model": HealthOut, "description": "Database non raggiungibile"}},
)
def health(session: SessionDep) -> HealthOut | JSONResponse:
    try:
        session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        logger.warning("Health check: database non raggiungibile: %r", exc)
        body = HealthOut(status="error", database=DATABASE_DOWN)
        return JSONResponse(status_code=status.HTTP_503_SERVICE_UNAVAILABLE, content=body.model_dump())
    return HealthOut(status="ok", database="ok")
