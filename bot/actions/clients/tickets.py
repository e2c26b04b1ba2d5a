"""The ticket store, as the assistant uses it: open a ticket, look one up for a conversation.

The conversation id sent here is always the tracker's sender id, which the channels
have authenticated (sportello/identity.py): a user can only ever reach their own tickets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.actions.clients.sportello_api import ApiUnavailable, request

__all__ = ["ApiUnavailable", "TicketRefused", "TicketStatus", "conversation_ticket", "create_ticket", "open_ticket"]


class TicketRefused(Exception):
    """The API answered, and said no (invalid data): retrying would not help."""


@dataclass(frozen=True)
class TicketStatus:
    number: str
    status: str
    updated_at: str
    queue_position: int | None

    @classmethod
    def from_api(cls, body: dict[str, Any]) -> TicketStatus:
        return cls(
            number=str(body["number"]),
            status=str(body["status"]),
            updated_at=str(body.get("updated_at") or body.get("created_at") or ""),
            queue_position=body.get("queue_position"),
        )


async def create_ticket(payload: dict[str, Any], idempotency_key: str) -> TicketStatus:
    """Open the ticket (the same key never opens two); ApiUnavailable, TicketRefused."""
    response = await request("POST", "/tickets", json=payload, headers={"Idempotency-Key": idempotency_key})
    if response.status in (200, 201) and isinstance(response.body, dict):
        return TicketStatus.from_api(response.body)
    detail = response.body.get("detail") if isinstance(response.body, dict) else response.body
    raise TicketRefused(f"{response.status}: {detail}")


async def _lookup(path: str, conversation_id: str) -> TicketStatus | None:
    response = await request("GET", path, params={"conversation_id": conversation_id})
    if response.status == 200 and isinstance(response.body, dict):
        return TicketStatus.from_api(response.body)
    if response.status == 404:
        return None
    raise ApiUnavailable(f"risposta {response.status}")


async def open_ticket(conversation_id: str) -> TicketStatus | None:
    """This conversation's ticket still being worked, if any."""
    return await _lookup("/conversation-tickets/open", conversation_id)


async def conversation_ticket(conversation_id: str, number: str) -> TicketStatus | None:
    """The ticket with this number, only if it belongs to this conversation."""
    return await _lookup(f"/conversation-tickets/{number}", conversation_id)
