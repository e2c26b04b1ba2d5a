"""Monitoring routes under /api/v1/monitoring, for trusted services (service token):
the event broker's batches in, the dashboard's tables and the review inbox out.

The console (api/console/) renders the same functions (api/monitoring/metrics.py,
api/monitoring/review/) for operators; the actions that write the knowledge base are
not exposed here (console, or `python -m api.monitoring.review`).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status

from api.deps import SessionDep, SettingsDep, require_service_token
from api.monitoring import metrics
from api.monitoring.export import MEDIA_TYPE, file_name, to_csv
from api.monitoring.ingest import ingest
from api.monitoring.review.inbox import DEFAULT_LIMIT, inbox
from api.monitoring.schemas import (
    ColumnOut,
    DashboardOut,
    EventBatch,
    GroupOut,
    InboxOut,
    IngestOut,
    TableOut,
    TextCount,
)
from api.problem_docs import problem_responses

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)
MAX_DAYS = 731
BAD_PERIOD = (
    "Periodo non valido: la data di inizio deve precedere quella di fine, "
    f"tra il {FIRST_DAY.isoformat()} e il {LAST_DAY.isoformat()}, per al massimo {MAX_DAYS} giorni."
)

router = APIRouter(
    prefix="/monitoring",
    tags=["monitoring"],
    dependencies=[Depends(require_service_token)],
    responses=problem_responses(status.HTTP_401_UNAUTHORIZED),
)

TableName = Literal["traffico", "esiti", "argomenti", "voti", "contenimento", "confidenza", "ticket", "raccolta"]
StartDay = Annotated[date | None, Query(description="Primo giorno (Europe/Rome), predefinito: 30 giorni fa")]
EndDay = Annotated[date | None, Query(description="Ultimo giorno compreso, predefinito: oggi")]
_PERIOD_ERRORS = problem_responses(400, descriptions={400: "Periodo non valido"})


def period(start: date | None, end: date | None) -> tuple[date, date]:
    """The period asked for: 30 days ending today when nothing is said; 400 when impossible."""
    if any(day is not None and not FIRST_DAY <= day <= LAST_DAY for day in (start, end)):
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=BAD_PERIOD)
    if start is None and end is None:
        return metrics.default_period()
    if end is None:
        assert start is not None
        end = min(start + timedelta(days=29), LAST_DAY)
    if start is None:
        start = max(end - timedelta(days=29), FIRST_DAY)
    if start > end or (end - start).days >= MAX_DAYS:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=BAD_PERIOD)
    return start, end


@router.post("/events", response_model=IngestOut)
def post_events(body: EventBatch, session: SessionDep, settings: SettingsDep) -> IngestOut:
    """A batch of conversation events from the Rasa server's event broker (bot/monitoring/)."""
    result = ingest(
        session,
        body.events,
        key=settings.monitoring_key.get_secret_value(),
        low_confidence=settings.review_low_confidence,
        dropped=body.dropped,
    )
    return IngestOut(events=result.events, turns=result.turns, ignored=result.ignored, rejected=result.rejected)


@router.get("/dashboard", response_model=DashboardOut, responses=_PERIOD_ERRORS)
def get_dashboard(request: Request, session: SessionDep, start: StartDay = None, end: EndDay = None) -> DashboardOut:
    """Every table of the dashboard for a period; each also as CSV (`csv_url`)."""
    first, last = period(start, end)
    board = metrics.dashboard(session, first, last)
    query = f"start={first.isoformat()}&end={last.isoformat()}"
    tables = [
        TableOut(
            name=table.name,
            title=table.title,
            columns=[ColumnOut(key=c.key, label=c.label) for c in table.columns],
            rows=table.rows,
            csv_url=f"{request.app.url_path_for('export_table', table=table.name)}?{query}",
        )
        for table in board.tables.values()
    ]
    return DashboardOut(start=first, end=last, tables=tables)


@router.get(
    "/export/{table}",
    response_class=Response,
    responses={
        200: {"description": "La tabella in CSV", "content": {"text/csv": {"schema": {"type": "string"}}}},
        **_PERIOD_ERRORS,
    },
)
def export_table(table: TableName, session: SessionDep, start: StartDay = None, end: EndDay = None) -> Response:
    """One table of the dashboard as CSV, for a spreadsheet."""
    first, last = period(start, end)
    found = metrics.dashboard(session, first, last).table(table)
    name = file_name(found, first.isoformat(), last.isoformat())
    return Response(
        to_csv(found), media_type=MEDIA_TYPE, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/review", response_model=InboxOut, responses=_PERIOD_ERRORS)
def get_review_inbox(
    session: SessionDep,
    start: StartDay = None,
    end: EndDay = None,
    limit: Annotated[int, Query(ge=1, le=10_000, description="Messaggi considerati, i più recenti")] = DEFAULT_LIMIT,
) -> InboxOut:
    """Messages to review (not understood, low confidence, 👎, escalated), grouped, largest first."""
    first, last = period(start, end)
    groups = [
        GroupOut(
            size=group.size,
            representative=group.representative,
            turn_ids=group.turn_ids,
            texts=[TextCount(text=text, count=count) for text, count in group.texts.most_common()],
            reasons=dict(group.reasons),
            suggested_topic=group.suggested_topic,
            first_at=group.first_at,
            last_at=group.last_at,
        )
        for group in inbox(session, first, last, limit=limit)
    ]
    return InboxOut(start=first, end=last, groups=groups)
