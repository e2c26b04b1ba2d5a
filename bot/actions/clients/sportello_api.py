"""Client for the Sportello API (FastAPI app): async, with explicit timeouts."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import asdict, dataclass

import aiohttp

from bot.actions.settings import get_settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FeedbackVote:
    conversation_id: str
    channel: str
    topic_id: str
    vote: str
    confidence: float | None
    question: str | None


async def post_feedback(vote: FeedbackVote) -> bool:
    """Send a vote; False (and a warning) when the API is down or refuses it."""
    settings = get_settings()
    if not settings.service_token:
        logger.warning("SPORTELLO_SERVICE_TOKEN non impostato: voto non inviato all'API")
        return False
    payload = asdict(vote)
    if payload["question"]:
        payload["question"] = payload["question"][:1000]
    timeout = aiohttp.ClientTimeout(total=settings.api_timeout_s)
    headers = {"Authorization": f"Bearer {settings.service_token}"}
    url = f"{settings.api_url}/api/v1/feedback"
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.post(url, json=payload, headers=headers) as resp,
        ):
            if resp.status == 201:
                return True
            logger.warning("API feedback: risposta %s %s", resp.status, (await resp.text())[:300])
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        logger.warning("API feedback non raggiungibile: %r", exc)
    return False
