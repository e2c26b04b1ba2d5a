"""Messages to a user who is not waiting for them, in their own channel.

Web chat: the Rasa server's push route (recorded in the conversation, shown live or on
return). Telegram: the bridge's delivery route. Both take the service token. A REST
conversation has no way to be reached: the message stays undelivered (False).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp

from bot.actions.settings import get_settings
from sportello.identity import channel_of

logger = logging.getLogger(__name__)


class ChannelUnavailable(Exception):
    """The channel's server did not take the message: try again later."""


def _route(conversation_id: str) -> str | None:
    settings = get_settings()
    channel = channel_of(conversation_id)
    if channel == "webchat":
        return f"{settings.rasa_url}/webhooks/webchat/push"
    if channel == "telegram":
        return f"{settings.telegram_url}/internal/deliver"
    return None


async def push(conversation_id: str, messages: list[dict[str, Any]]) -> bool:
    """True once the channel took the messages; False when this conversation cannot be reached."""
    url = _route(conversation_id)
    if url is None:
        logger.info("Nessun canale per raggiungere %s: messaggio non inviato", conversation_id)
        return False
    settings = get_settings()
    body = {"sender_id": conversation_id, "messages": messages}
    headers = {"Authorization": f"Bearer {settings.service_token}"}
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=settings.api_timeout_s * 2)) as session,
            session.post(url, json=body, headers=headers) as resp,
        ):
            if resp.status in (200, 202):
                return True
            if resp.status == 404:  # the conversation no longer exists: nobody to tell
                logger.warning("Conversazione %s non trovata dal canale: messaggio scartato", conversation_id)
                return False
            raise ChannelUnavailable(f"{url}: risposta {resp.status}")
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        raise ChannelUnavailable(f"{url}: {exc!r}") from exc
