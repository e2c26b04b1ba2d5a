"""Request and response bodies (pydantic 2)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

TOPIC_ID_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
# Offsets and ids past what the databases' integer columns hold (PostgreSQL's INTEGER)
# can match nothing; refusing them keeps an overflow from reaching the database.
MAX_DB_INT = 2**31 - 1

Vote = Literal["up", "down"]
TopicId = Annotated[str, Field(min_length=1, max_length=64, pattern=TOPIC_ID_PATTERN, examples=["buoni_pasto"])]


class HealthOut(BaseModel):
    status: Literal["ok"]
    database: Literal["ok"]


class FeedbackCreate(BaseModel):
    """A vote on a FAQ answer, as the action server sends it."""

    # A client's type error is refused, never guessed: `false` or "0.5" is not a confidence.
    model_config = ConfigDict(strict=True)

    conversation_id: str = Field(min_length=1, max_length=128, description="Rasa sender id")
    channel: str = Field(min_length=1, max_length=32, examples=["rest"])
    topic_id: TopicId
    vote: Vote
    confidence: float | None = Field(default=None, ge=0, le=1, allow_inf_nan=False)
    question: str | None = Field(default=None, max_length=1000)


class FeedbackCreated(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: datetime


class FeedbackOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    conversation_id: str
    channel: str
    topic_id: str
    vote: Vote
    confidence: float | None
    question: str | None
    created_at: datetime


class FeedbackPage(BaseModel):
    items: list[FeedbackOut]
    count: int = Field(description="Number of votes matching the filters, regardless of limit and offset")


class TopicVotes(BaseModel):
    topic_id: str
    up: int
    down: int


class FeedbackSummary(BaseModel):
    items: list[TopicVotes] = Field(description="One row per topic, most 👎 first")


class FieldError(BaseModel):
    loc: list[str | int] = Field(description="Where the value is: body, query, path or header, then the field")
    msg: str = Field(description="What is wrong, in Italian")
    type: str = Field(description="pydantic's error type, for programs", examples=["missing"])


class ProblemDetails(BaseModel):
    """RFC 9457 problem details: the body of every error (`application/problem+json`)."""

    model_config = ConfigDict(extra="allow", title="ProblemDetails")

    type: str = Field(default="about:blank", description="URI of the problem type")
    title: str = Field(description="The HTTP status phrase", examples=["Not Found"])
    status: int = Field(ge=400, le=599, description="The HTTP status code")
    detail: str = Field(description="What happened, in Italian, for people", examples=["Risorsa non trovata."])
    errors: list[FieldError] | None = Field(
        default=None, description="Invalid requests (422) only: what is wrong with each field"
    )


ErrorOut = ProblemDetails  # the name routes used before problem details
