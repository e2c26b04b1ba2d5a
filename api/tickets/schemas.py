"""Request and response bodies of the ticket store (pydantic 2).

Creation is lenient where a refusal would lose a person's request (the assistant has
already validated the form): formats are checked for sanity, not for perfection.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from api.tickets.models import CONVERSATION_ID_LENGTH, DESCRIPTION_LENGTH, NOTE_LENGTH
from api.tickets.states import TicketStatus

Role = Literal["lavoratore", "datore", "socio", "altro"]
Priority = Literal["bassa", "normale", "alta"]
Speaker = Literal["user", "bot", "operator"]

MAX_TURNS = 500
MAX_SLOTS_JSON = 20_000


# Stored and fingerprinted in UTC, so "10:15+01:00" and "09:15Z" are the same request.
def _iso_text(value: Any) -> Any:
    """Times arrive as ISO 8601 text: a number (seconds? milliseconds?) is a client's mistake."""
    if not isinstance(value, (str, datetime)):
        raise ValueError("deve essere una data e ora ISO 8601 con fuso orario, per esempio 2026-11-30T10:15:00Z")
    return value


UTCInstant = Annotated[
    AwareDatetime, BeforeValidator(_iso_text), AfterValidator(lambda moment: moment.astimezone(timezone.utc))
]
ConversationId = Annotated[
    str, Field(min_length=1, max_length=CONVERSATION_ID_LENGTH, description="Rasa sender id", examples=["telegram:123"])
]


class Contact(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = Field(default=None, max_length=32, pattern=r"^\+?[0-9][0-9 ()./-]{4,30}$")
    via_chat: bool = Field(
        default=False, strict=True, description="Telegram or web chat: the chat itself is how to reach the user"
    )


class TranscriptTurn(BaseModel):
    who: Speaker
    text: str = Field(max_length=4000)
    at: UTCInstant
    intent: str | None = Field(default=None, max_length=128)
    confidence: float | None = Field(default=None, ge=0, le=1, allow_inf_nan=False, strict=True)
    topic: str | None = Field(default=None, max_length=64, description="FAQ topic id")


class TicketCreate(BaseModel):
    """An escalation, as the action server sends it (with an `Idempotency-Key` header)."""

    channel: str = Field(min_length=1, max_length=32, examples=["telegram"])
    conversation_id: ConversationId
    contact: Contact
    role: Role
    company: str | None = Field(default=None, max_length=200)
    description: str = Field(min_length=1, max_length=DESCRIPTION_LENGTH)
    consent_at: UTCInstant
    privacy_notice_version: str = Field(min_length=1, max_length=32, examples=["2026-01"])
    transcript: list[TranscriptTurn] = Field(default_factory=list, max_length=MAX_TURNS)
    slots: dict[str, Any] = Field(default_factory=dict, description="Last slots of the conversation")
    priority: Priority = "normale"

    @field_validator("slots")
    @classmethod
    def _slots_are_small(cls, slots: dict[str, Any]) -> dict[str, Any]:
        if len(json.dumps(slots, ensure_ascii=False, default=str)) > MAX_SLOTS_JSON:
            raise ValueError(f"slots: al massimo {MAX_SLOTS_JSON} caratteri in JSON")
        return slots


class TicketEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    actor_kind: str
    actor_id: str
    from_status: TicketStatus | None
    to_status: TicketStatus


class TicketSummary(BaseModel):
    """A row of the queue: no transcript, no slots."""

    model_config = ConfigDict(from_attributes=True)

    number: str
    status: TicketStatus
    priority: Priority
    channel: str
    conversation_id: str
    contact_name: str
    role: Role
    company: str | None
    description: str
    assignee: str | None
    created_at: datetime
    updated_at: datetime


class ContactOut(BaseModel):
    name: str
    email: str | None
    phone: str | None
    via_chat: bool


class TicketOut(BaseModel):
    """A whole ticket, its audit trail included (notes: `/notes`)."""

    number: str
    status: TicketStatus
    allowed_transitions: list[TicketStatus]
    priority: Priority
    channel: str
    conversation_id: str
    contact: ContactOut
    role: Role
    company: str | None
    description: str
    consent_at: datetime
    privacy_notice_version: str
    transcript: list[TranscriptTurn]
    slots: dict[str, Any]
    assignee: str | None
    created_at: datetime
    updated_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    queue_position: int | None = Field(description="1 = next to be taken; null unless waiting for an operator")
    events: list[TicketEventOut]


class TicketStatusOut(BaseModel):
    """What the assistant may tell the user about their own ticket: no personal data."""

    number: str
    status: TicketStatus
    created_at: datetime
    updated_at: datetime
    queue_position: int | None


class TicketPage(BaseModel):
    items: list[TicketSummary] = Field(description="Oldest first")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")
    counts: dict[TicketStatus, int] = Field(description="Tickets per status, with every filter but `status`")


class TransitionIn(BaseModel):
    status: TicketStatus


class NoteCreate(BaseModel):
    text: str = Field(min_length=1, max_length=NOTE_LENGTH)


class NoteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: datetime
    author_kind: str
    author_id: str
    text: str


class NoteList(BaseModel):
    items: list[NoteOut] = Field(description="Oldest first")
