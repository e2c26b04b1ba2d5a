"""The queue: tickets oldest first, with filters, counts per status and live updates.

The filters arrive from a plain GET form, where an untouched field is an empty string:
each is read leniently (an empty or unknown value means "no filter") rather than
refused, so the form never answers with a validation error. The table is also served
alone (`/console/coda/righe`), which htmx fetches again when the server-sent events
say a ticket or a user's message arrived.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.console.auth import OperatorDep, require_csrf
from api.console.pages import redirect, render
from api.console.sessions import OpenSession
from api.deps import SessionDep
from api.models import utcnow
from api.operators.models import Operator
from api.tickets import queries
from api.tickets.models import Ticket
from api.tickets.queries import Cursor, InvalidCursor, TicketFilters
from api.tickets.states import TicketStatus

PAGE_SIZE = 50
MAX_HOURS = 24 * 366
NOTICES = {"password": "Password cambiata."}

router = APIRouter(prefix="/console", include_in_schema=False, dependencies=[Depends(require_csrf)])

Text = Annotated[str, Query(max_length=64)]


@dataclass(frozen=True)
class QueueView:
    """What the filter form asked for, read leniently."""

    status: TicketStatus | None
    channel: str
    mine: bool
    hours: int | None
    cursor: Cursor | None

    @classmethod
    def read(cls, stato: str, canale: str, miei: str, ore: str, dopo: str) -> QueueView:
        try:
            status = TicketStatus(stato) if stato else None
        except ValueError:
            status = None
        hours = int(ore) if ore.strip().isdigit() and int(ore) <= MAX_HOURS else None
        try:
            cursor = Cursor.decode(dopo) if dopo else None
        except InvalidCursor:
            cursor = None
        return cls(status, canale.strip(), miei in ("1", "on", "true"), hours, cursor)

    def filters(self, user: OpenSession) -> TicketFilters:
        return TicketFilters(
            statuses=(self.status,) if self.status else (),
            channel=self.channel or None,
            created_before=utcnow() - timedelta(hours=self.hours) if self.hours is not None else None,
            assignee=str(user.operator.id) if self.mine else None,
        )

    def query(self, **changes: Any) -> str:
        """The query string of this view (for the table's refresh and the next page)."""
        values = {
            "stato": self.status.value if self.status else "",
            "canale": self.channel,
            "miei": "1" if self.mine else "",
            "ore": "" if self.hours is None else str(self.hours),
            **changes,
        }
        return urlencode({key: value for key, value in values.items() if value})


def operator_names(db: Session) -> dict[str, str]:
    """Display names by operator id, as `Ticket.assignee` holds them (a handful of rows)."""
    return {str(op_id): name for op_id, name in db.execute(select(Operator.id, Operator.display_name))}


def _context(db: Session, user: OpenSession, view: QueueView) -> dict[str, Any]:
    filters = view.filters(user)
    rows, next_cursor = queries.list_tickets(db, filters, limit=PAGE_SIZE, cursor=view.cursor)
    return {
        "view": view,
        "rows": rows,
        "counts": queries.count_by_status(db, filters),
        "next_query": view.query(dopo=next_cursor.encode()) if next_cursor else None,
        "names": operator_names(db),
        "channels": sorted(db.scalars(select(Ticket.channel).distinct())),
    }


@router.get("")
def home(_user: OperatorDep) -> Response:
    return redirect("/console/coda")


@router.get("/coda")
def queue_page(
    request: Request,
    db: SessionDep,
    user: OperatorDep,
    stato: Text = "",
    canale: Text = "",
    miei: Text = "",
    ore: Text = "",
    dopo: Annotated[str, Query(max_length=200)] = "",
    esito: Text = "",
) -> Response:
    view = QueueView.read(stato, canale, miei, ore, dopo)
    context = {**_context(db, user, view), "notice": NOTICES.get(esito, "")}
    return render(request, "queue.html", context, user=user)


@router.get("/coda/righe")
def queue_rows(
    request: Request,
    db: SessionDep,
    user: OperatorDep,
    stato: Text = "",
    canale: Text = "",
    miei: Text = "",
    ore: Text = "",
    dopo: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    view = QueueView.read(stato, canale, miei, ore, dopo)
    # The counts come along out of band (hx-swap-oob), so they stay true as well.
    return render(request, "_queue_table.html", {**_context(db, user, view), "fragment": True}, user=user)
