"""Who is acting on a ticket: the actor written into the audit trail and the notes.

`current_actor` is the only dependency the ticket routes use to authenticate. Today it
accepts the service token and answers the service actor (the assistant). The operator
console (issue 8) extends this one function: an operator session cookie resolves to
`Actor(kind="operator", id=<operator id>, ...)`, the service token keeps resolving to
the service; the routes, the audit trail and the notes do not change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends

from api.deps import require_service_token

ActorKind = Literal["service", "operator"]


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    id: str
    display_name: str


SERVICE_ACTOR = Actor(kind="service", id="assistente", display_name="Assistente virtuale")


def current_actor(_authenticated: Annotated[None, Depends(require_service_token)]) -> Actor:
    return SERVICE_ACTOR


ActorDep = Annotated[Actor, Depends(current_actor)]
