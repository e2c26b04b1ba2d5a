"""REST channel (`POST /webhooks/rest/webhook`), screened and with signed buttons.

Replaces Rasa's RestInput (same URL and JSON shape, so apps and scripts keep working)
so that typed text never selects an intent and bad input gets an Italian reply
instead of an error. Identities: a client names its own conversation here, so the
sender ids reserved for our other channels (`web:`, `telegram:`, sportello/identity.py)
are refused with 403, and the input channel is always `rest`, whatever the client says.
The Telegram bridge speaks for `telegram:` conversations through BridgeInput
(bot/channels/bridge.py), which shares this handling behind a service-token check.
While an operator owns a conversation the reply is an empty list: the message is
recorded for the operator and the assistant does not answer (ownership.py).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import ownership, sanic_problems, server_patches
from bot.channels.guard import FAILURE_REPLY, screen
from bot.channels.service_requests import NOT_JSON, error, json_object
from bot.channels.settings import button_secret, get_settings
from bot.channels.signing import SigningOutputChannel
from sportello.identity import REST_CHANNEL, reserved_channel
from sportello.payloads import PayloadSigner

logger = logging.getLogger(__name__)

SENDER_RE = re.compile(r"^[A-Za-z0-9_.:@-]{1,128}$")
BAD_SENDER = "Il campo 'sender' è obbligatorio: 1-128 caratteri tra lettere, cifre e _.:@-"
RESERVED_SENDER = (
    "Questo identificativo di conversazione è riservato a un altro canale (chat web o Telegram): "
    "usa un identificativo senza il prefisso «{prefix}»."
)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class RestInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return REST_CHANNEL

    def __init__(self) -> None:
        server_patches.apply()
        self._signer = PayloadSigner(button_secret())
        self._max_chars = get_settings().max_message_chars

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> RestInput:
        return cls()

    def authenticate(self, request: Request) -> HTTPResponse | None:
        """The refusal of an unauthenticated caller; the public REST channel has none."""
        return None

    def accept(self, sender: str) -> tuple[str, HTTPResponse | None]:
        """The input channel for this sender, or the response that refuses it."""
        channel = reserved_channel(sender)
        if channel is not None:
            prefix = sender.split(":", 1)[0] + ":"
            return REST_CHANNEL, error(403, RESERVED_SENDER.format(prefix=prefix))
        return REST_CHANNEL, None

    async def handle(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        refusal = self.authenticate(request)
        if refusal is not None:
            return refusal
        body = json_object(request)
        if body is None:
            return error(400, NOT_JSON)
        sender = body.get("sender")
        if not isinstance(sender, str) or not SENDER_RE.match(sender):
            return error(400, BAD_SENDER)
        input_channel, refusal = self.accept(sender)
        if refusal is not None:
            return refusal
        screened = screen(body.get("message"), sender, self._signer, self._max_chars)
        if screened.reply is not None:
            return response.json([{"recipient_id": sender, "text": screened.reply}])
        assert screened.text is not None
        collector = SigningOutputChannel(self._signer)
        message = UserMessage(screened.text, collector, sender, input_channel=input_channel)
        if await ownership.gate().intercept(getattr(request.app.ctx, "agent", None), message):
            return response.json([])
        try:
            await on_new_message(message)
        except Exception:
            logger.exception("%s: messaggio non elaborato (sender=%s)", self.name(), sender)
            if not collector.messages:
                return response.json([{"recipient_id": sender, "text": FAILURE_REPLY}])
        return response.json(collector.messages)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = Blueprint(f"sportello_{self.name()}_webhook", __name__)
        webhook.listener("before_server_start")(_install_problem_details)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self.handle(request, on_new_message)

        return webhook


async def _install_problem_details(app: Sanic, _loop: Any) -> None:
    sanic_problems.install(app)
