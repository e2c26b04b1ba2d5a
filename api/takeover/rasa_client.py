"""Client of the Rasa server's operator routes (bot/channels/operator.py), service token.

`say` puts an operator's message (or a notice) into the user's conversation: the Rasa
server records it in the tracker and delivers it in the user's channel. `suggest` asks
the assistant's own model for the knowledge-base answers closest to a text. Every call
has a timeout; failures become `RasaUnavailable`, never a hang.

The app installs one client at start (api/main.py); tests install fakes with `install`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

logger = logging.getLogger(__name__)

SAY_PATH = "/webhooks/operator/say"
SUGGEST_PATH = "/webhooks/operator/suggest"


class RasaUnavailable(Exception):
    """The Rasa server did not take the request (down, slow, or it refused)."""


@dataclass(frozen=True)
class Said:
    recorded: bool
    # Web chat: a socket of the conversation was open; Telegram: the bridge accepted it.
    delivered: bool


class RasaPort(Protocol):
    async def say(self, sender_id: str, text: str, operator_name: str, *, notice: bool = False) -> Said: ...

    async def suggest(self, text: str) -> list[dict[str, Any]]: ...


class RasaClient:
    def __init__(
        self, base_url: str, service_token: str, timeout_s: float, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {service_token}"}
        self._timeout = httpx.Timeout(timeout_s, connect=min(timeout_s, 5.0))
        self._transport = transport

    async def _post(self, path: str, body: dict[str, Any]) -> Any:
        # A client per call: operators send a few messages a minute, and no connection
        # outlives the event loop that made it (tests run apps on loops of their own).
        try:
            async with httpx.AsyncClient(
                base_url=self._base_url, headers=self._headers, timeout=self._timeout, transport=self._transport
            ) as client:
                response = await client.post(path, json=body)
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"{path}: {exc!r}") from exc
        if response.status_code != 200:
            raise RasaUnavailable(f"{path}: risposta {response.status_code}: {response.text[:300]}")
        try:
            return response.json()
        except ValueError as exc:
            raise RasaUnavailable(f"{path}: JSON non valido") from exc

    async def say(self, sender_id: str, text: str, operator_name: str, *, notice: bool = False) -> Said:
        body = {"sender_id": sender_id, "text": text, "operator_name": operator_name, "notice": notice}
        data = await self._post(SAY_PATH, body)
        if not isinstance(data, dict):
            raise RasaUnavailable(f"{SAY_PATH}: risposta inattesa")
        return Said(recorded=bool(data.get("recorded")), delivered=bool(data.get("delivered")))

    async def suggest(self, text: str) -> list[dict[str, Any]]:
        data = await self._post(SUGGEST_PATH, {"text": text})
        items = data.get("suggestions") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise RasaUnavailable(f"{SUGGEST_PATH}: risposta inattesa")
        return [item for item in items if isinstance(item, dict)]


_installed: RasaPort | None = None


def install(client: RasaPort | None) -> None:
    global _installed
    _installed = client


def current() -> RasaPort:
    if _installed is None:
        raise RasaUnavailable("nessun client del server Rasa configurato")
    return _installed
