"""Request and response bodies (pydantic 2)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

TOPIC_ID_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"

Vote = Literal["up", "down"]
TopicId = Annotated[str, Field(min_length=1, max_length=64, pattern=TOPIC_ID_PATTERN, examples=["buoni_pasto"])]


class HealthOut(BaseModel):
    status: Literal["ok", "error"]
    database: str


class FeedbackCreate(BaseModel):
    """A vote on a FAQ answer, as the action server sends it."""

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


class ErrorOut(BaseModel):
    detail: str
