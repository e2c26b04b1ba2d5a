"""REST channel (`POST /webhooks/rest/webhook`), screened and with signed buttons.

Replaces Rasa's RestInput (same URL and JSON shape) so that typed text never
selects an intent and bad input gets an Italian reply instead of an error.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import server_patches
from bot.channels.guard import FAILURE_REPLY, screen
from bot.channels.payloads import PayloadSigner
from bot.channels.settings import button_secret, get_settings
from bot.channels.signing import SigningOutputChannel

logger = logging.getLogger(__name__)

SENDER_RE = re.compile(r"^[A-Za-z0-9_.:@-]{1,128}$")
TRUSTED_INPUT_CHANNELS = {"rest", "telegram", "webchat"}


class RestInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def __init__(self) -> None:
        server_patches.apply()
        self._signer = PayloadSigner(button_secret())
        self._max_chars = get_settings().max_message_chars

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> RestInput:
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("sportello_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = request.json
            except Exception:  # sanic raises its own error types for bad JSON
                body = None
            if not isinstance(body, dict):
                return response.json({"error": "Il corpo della richiesta deve essere un oggetto JSON."}, status=400)
            sender = body.get("sender")
            if not isinstance(sender, str) or not SENDER_RE.match(sender):
                return response.json(
                    {"error": "Il campo 'sender' è obbligatorio: 1-128 caratteri tra lettere, cifre e _.:@-"},
                    status=400,
                )
            input_channel = body.get("input_channel") or self.name()
            if input_channel not in TRUSTED_INPUT_CHANNELS:
                input_channel = self.name()
            screened = screen(body.get("message"), sender, self._signer, self._max_chars)
            if screened.reply is not None:
                return response.json([{"recipient_id": sender, "text": screened.reply}])
            assert screened.text is not None
            collector = SigningOutputChannel(self._signer)
            try:
                await on_new_message(UserMessage(screened.text, collector, sender, input_channel=input_channel))
            except Exception:
                logger.exception("rest: messaggio non elaborato (sender=%s)", sender)
                if not collector.messages:
                    return response.json([{"recipient_id": sender, "text": FAILURE_REPLY}])
            return response.json(collector.messages)

        return webhook
