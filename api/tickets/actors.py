"""Who is acting on a ticket: the actor written into the audit trail and the notes.

`current_actor` is the only dependency the ticket routes use to authenticate: a request
with an `Authorization` header must carry the service token (the assistant, the service
actor); without one, an operator's console session cookie (api/console/) resolves to
`Actor(kind="operator", id=<operator id>, ...)`. A cookie is sent by the browser on its
own, so a state-changing request authenticated by it must also carry the session's
CSRF token in `X-CSRF-Token`. The routes, the audit trail and the notes do not change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, HTTPException, Request, status

from api.console.auth import CHANGE_PASSWORD_FIRST, CSRF_FAILED, CSRF_HEADER, SAFE_METHODS, SessionOrNone, csrf_matches
from api.deps import BearerCredentials, SettingsDep, require_service_token

ActorKind = Literal["service", "operator"]


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    id: str
    display_name: str


SERVICE_ACTOR = Actor(kind="service", id="assistente", display_name="Assistente virtuale")


def current_actor(
    request: Request,
    settings: SettingsDep,
    credentials: BearerCredentials,
    console: SessionOrNone,
) -> Actor:
    if request.headers.get("Authorization") is not None or console is None:
        require_service_token(settings, credentials)  # 401 unless it is the service token
        return SERVICE_ACTOR
    if console.operator.must_change_password:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=CHANGE_PASSWORD_FIRST)
    if request.method not in SAFE_METHODS and not csrf_matches(console, request.headers.get(CSRF_HEADER)):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=CSRF_FAILED)
    operator = console.operator
    return Actor(kind="operator", id=str(operator.id), display_name=operator.display_name)


ActorDep = Annotated[Actor, Depends(current_actor)]
