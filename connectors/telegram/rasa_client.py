"""Client of the Rasa server's bridge channel (`POST /webhooks/bridge/webhook`).

Only this authenticated route (service token) may speak for `telegram:` conversations;
the public REST channel refuses them. The channel screens the text and signs button payloads for the sender, so
the bridge passes messages through untouched. Whatever goes wrong on the way
(Rasa down, slow, or answering nonsense) becomes the Italian "technical problem"
reply: users never see an error and the bridge never crashes on it.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from connectors.telegram.messages import BotMessage
from sportello.replies import FAILURE_REPLY

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/bridge/webhook"


class RasaClient:
    def __init__(
        self,
        base_url: str,
        timeout_s: float,
        service_token: str,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._client = httpx.AsyncClient(
            base_url=base_url,
            headers={"Authorization": f"Bearer {service_token}"},
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 5.0)),
            transport=transport,
        )

    async def send(self, sender: str, message: str) -> list[BotMessage]:
        """The bot's replies to `message`; the failure reply if Rasa cannot answer."""
        body = {"sender": sender, "message": message}
        try:
            response = await self._client.post(WEBHOOK_PATH, json=body)
        except httpx.HTTPError as exc:
            logger.warning("Rasa non raggiungibile (sender=%s): %r", sender, exc)
            return [BotMessage(FAILURE_REPLY)]
        if response.status_code != 200:
            logger.warning("Rasa ha risposto %s (sender=%s): %s", response.status_code, sender, response.text[:300])
            return [BotMessage(FAILURE_REPLY)]
        try:
            data: Any = response.json()
        except ValueError:
            logger.warning("Rasa ha risposto con un JSON non valido (sender=%s)", sender)
            return [BotMessage(FAILURE_REPLY)]
        if not isinstance(data, list):
            logger.warning("Rasa ha risposto con un JSON inatteso (sender=%s): %r", sender, data)
            return [BotMessage(FAILURE_REPLY)]
        return [m for item in data if isinstance(item, dict) and (m := BotMessage.from_rasa(item)) is not None]

    async def aclose(self) -> None:
        await self._client.aclose()
