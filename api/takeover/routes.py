"""The Rasa server's side of a takeover, under /api/v1/conversations (service token only).

Before the assistant answers a message, the channels ask whether an operator owns the
conversation (`GET .../owner`); when one does, they record the message in the tracker
and hand it over here (`POST .../messages`) for the console, and the assistant stays
silent. The conversation id is the tracker's sender id, which the channels have
authenticated (sportello/identity.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, status
from pydantic import BaseModel, Field

from api.deps import SessionDep, require_service_token
from api.problem_docs import problem_responses
from api.takeover import service
from api.takeover.models import INTENT_LENGTH, MESSAGE_LENGTH
from api.tickets.models import CONVERSATION_ID_LENGTH

NOT_OWNED = "Nessun operatore segue questa conversazione: risponde l'assistente."

ConversationPath = Annotated[
    str,
    Path(
        min_length=1,
        max_length=CONVERSATION_ID_LENGTH,
        description="Rasa sender id",
        examples=["web:Zk3xQ1vN8pR2sT5uW7yA9bCd"],
    ),
]

router = APIRouter(
    prefix="/conversations",
    tags=["takeover"],
    dependencies=[Depends(require_service_token)],
    responses=problem_responses(status.HTTP_401_UNAUTHORIZED),
)


class OwnerOut(BaseModel):
    conversation_id: str
    owned: bool = Field(description="True: an operator answers, the assistant must stay silent")
    ticket: str | None = Field(description="The ticket the operator took, e.g. SW-2026-000123")
    operator_name: str | None = Field(description="The operator's display name (never the login)")
    since: datetime | None


class UserMessageIn(BaseModel):
    text: str = Field(min_length=1, max_length=MESSAGE_LENGTH)
    intent: str | None = Field(default=None, max_length=INTENT_LENGTH, description="What the assistant's NLU read")
    confidence: float | None = Field(default=None, ge=0, le=1, allow_inf_nan=False)


class UserMessageOut(BaseModel):
    id: int
    ticket: str
    at: datetime


@router.get("/{conversation_id}/owner", response_model=OwnerOut)
def read_owner(conversation_id: ConversationPath, session: SessionDep) -> OwnerOut:
    """Whether an operator answers this conversation instead of the assistant."""
    owner = service.owner(session, conversation_id)
    if owner is None:
        return OwnerOut(conversation_id=conversation_id, owned=False, ticket=None, operator_name=None, since=None)
    return OwnerOut(
        conversation_id=conversation_id,
        owned=True,
        ticket=owner.ticket,
        operator_name=owner.operator_name,
        since=owner.since,
    )


@router.post(
    "/{conversation_id}/messages",
    status_code=status.HTTP_201_CREATED,
    response_model=UserMessageOut,
    responses=problem_responses(descriptions={409: "Nessun operatore segue la conversazione: risponde l'assistente"}),
)
def add_user_message(conversation_id: ConversationPath, body: UserMessageIn, session: SessionDep) -> UserMessageOut:
    """A message the user wrote while an operator owns the conversation: kept and shown live in the console."""
    recorded = service.user_message(session, conversation_id, body.text, intent=body.intent, confidence=body.confidence)
    if recorded is None:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=NOT_OWNED)
    ticket, message = recorded
    return UserMessageOut(id=message.id, ticket=ticket.number, at=message.at)
