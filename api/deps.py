"""FastAPI dependencies: settings, database session, service-token authentication."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.settings import Settings

UNAUTHORIZED_DETAIL = "Autenticazione richiesta: token di servizio mancante o non valido."

_bearer = HTTPBearer(auto_error=False, description="Token di servizio (SPORTELLO_SERVICE_TOKEN)")


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_session(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
# The `Authorization: Bearer` credentials, if any (also what the OpenAPI schema documents).
BearerCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def require_service_token(settings: SettingsDep, credentials: BearerCredentials) -> None:
    expected = settings.service_token.get_secret_value().encode()
    given = credentials.credentials.encode() if credentials is not None else b""
    if not given or not hmac.compare_digest(given, expected):
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail=UNAUTHORIZED_DETAIL,
            headers={"WWW-Authenticate": "Bearer"},
        )
