"""A fake of our Rasa bridge channel for the fast tests.

Like the real one it signs button payloads for the sender and turns only valid
tokens back into payloads; what it answers is up to each test (`responder`).
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sportello.payloads import PayloadSigner

BUTTON_SECRET = "segreto-dei-test-del-ponte-telegram"
GREETING = (
    "Ciao! Sono l'assistente virtuale dello **Sportello Welfare**.\n\n"
    "🔒 Privacy: conserviamo i messaggi di questa chat solo per risponderti."
)

Responder = Callable[[str, str], Any]


class FakeRasa:
    def __init__(self, secret: str = BUTTON_SECRET, service_token: str = "token-di-servizio-dei-test") -> None:
        self.signer = PayloadSigner(secret.encode())
        self.service_token = service_token
        self.received: list[dict[str, Any]] = []
        self.responder: Responder = self.default_reply
        self.base_url = ""
        self.app = Starlette(routes=[Route("/webhooks/bridge/webhook", self._webhook, methods=["POST"])])

    def payload_of(self, message: str, sender: str) -> str | None:
        """What the real REST channel would make of `message`: a payload for valid tokens only."""
        return self.signer.verify(message, sender) if message.startswith("~") else None

    def with_buttons(self, sender: str, text: str, buttons: list[tuple[str, str]]) -> list[dict[str, Any]]:
        """A reply with buttons, payloads signed for `sender` as the REST channel does."""
        return [
            {
                "recipient_id": sender,
                "text": text,
                "buttons": [{"title": t, "payload": self.signer.sign(p, sender)} for t, p in buttons],
            }
        ]

    def default_reply(self, sender: str, message: str) -> list[dict[str, Any]]:
        payload = self.payload_of(message, sender)
        if payload == "/greet":
            return [{"recipient_id": sender, "text": GREETING}]
        if payload is not None:
            return [{"recipient_id": sender, "text": f"Hai scelto {payload}"}]
        return [{"recipient_id": sender, "text": f"Hai scritto: {message}"}]

    async def _webhook(self, request: Request) -> Response:
        # As the real bridge channel: only the service token may speak for telegram: chats.
        if request.headers.get("Authorization") != f"Bearer {self.service_token}":
            return JSONResponse({"detail": "token mancante"}, status_code=401)
        body = json.loads(await request.body())
        self.received.append(body)
        reply = self.responder(body["sender"], body["message"])
        if inspect.isawaitable(reply):
            reply = await reply
        if isinstance(reply, Response):
            return reply
        return JSONResponse(reply)
