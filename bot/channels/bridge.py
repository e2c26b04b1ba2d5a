"""Bridge channel (`POST /webhooks/bridge/webhook`): how bridge processes reach Rasa.

The Telegram bridge receives updates from Telegram and speaks for `telegram:<chat id>`
conversations. Chat ids of private chats are user ids, not secrets, so the public REST
channel refuses those ids and only this route accepts them, from a caller holding the
service token (constant-time check). The request and reply are the REST channel's; the
input channel is the one the sender id belongs to, never what the caller says.
"""

from __future__ import annotations

from typing import Any

from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.rest import RestInput
from bot.channels.service_requests import error, unauthorized
from bot.channels.settings import service_token
from sportello.auth import bearer_token_matches
from sportello.identity import BRIDGED_CHANNELS, reserved_channel

NOT_BRIDGED = "Questo canale accetta solo conversazioni dei ponti (Telegram): usa il canale REST."


class BridgeInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "bridge"

    def __init__(self) -> None:
        super().__init__()
        self._token = service_token()

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> BridgeInput:
        return cls()

    def authenticate(self, request: Request) -> HTTPResponse | None:
        if bearer_token_matches(request.headers.get("Authorization"), self._token):
            return None
        return unauthorized()

    def accept(self, sender: str) -> tuple[str, HTTPResponse | None]:
        channel = reserved_channel(sender)
        if channel is None or channel not in BRIDGED_CHANNELS:
            return "", error(403, NOT_BRIDGED)
        return channel, None
