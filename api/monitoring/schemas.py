"""Request and response bodies of the monitoring routes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.schemas import MAX_DB_INT

MAX_BATCH_EVENTS = 2000


class EventBatch(BaseModel):
    """Rasa events as the event broker publishes them (`sender_id` plus the event's JSON)."""

    model_config = ConfigDict(extra="forbid")

    events: list[dict[str, Any]] = Field(max_length=MAX_BATCH_EVENTS)
    dropped: int = Field(
        default=0, ge=0, le=MAX_DB_INT, description="Events the sender had to drop since its last batch"
    )

    @field_validator("dropped", mode="before")
    @classmethod
    def _not_a_boolean(cls, value: Any) -> Any:
        # JSON's true/false are not counts (pydantic would read them as 1 and 0).
        if isinstance(value, bool):
            raise ValueError("Deve essere un numero intero.")
        return value


class IngestOut(BaseModel):
    events: int = Field(description="Events used")
    turns: int = Field(description="User turns recorded (a batch sent twice records none the second time)")
    ignored: int = Field(description="Events monitoring does not use")
    rejected: int = Field(description="Malformed events, refused one by one")


class ColumnOut(BaseModel):
    key: str
    label: str


class TableOut(BaseModel):
    name: str
    title: str
    columns: list[ColumnOut]
    rows: list[dict[str, str | int | float | None]]
    csv_url: str = Field(description="The same table as CSV (`;`, decimal comma, UTF-8 with BOM)")


class DashboardOut(BaseModel):
    start: date
    end: date
    tables: list[TableOut]


class TextCount(BaseModel):
    text: str
    count: int


class GroupOut(BaseModel):
    size: int
    representative: str
    turn_ids: list[int] = Field(description="What the review actions take")
    texts: list[TextCount]
    reasons: dict[str, int]
    suggested_topic: str | None = Field(description="The topic the assistant thought of most often: a hint")
    first_at: datetime | None
    last_at: datetime | None


class InboxOut(BaseModel):
    start: date
    end: date
    groups: list[GroupOut]
