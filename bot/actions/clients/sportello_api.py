"""Client for the Sportello API (FastAPI app): async, explicit timeouts, bounded retry.

Every call carries the service token. A call that cannot get an answer (API down,
timeout, 5xx) is retried a few times with a short back-off and then reported as
unreachable (`ApiUnavailable`): the caller decides what must not be lost (the outbox).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import asdict, dataclass
from typing import Any

import aiohttp

from bot.actions.settings import get_settings

logger = logging.getLogger(__name__)

RETRIES = 2  # so three attempts in all
BACKOFF_S = 0.2


class ApiUnavailable(Exception):
    """No answer from the API (down, timing out, or failing with 5xx)."""


@dataclass(frozen=True)
class ApiResponse:
    status: int
    body: Any


async def request(
    method: str,
    path: str,
    *,
    json: Any = None,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    retries: int = RETRIES,
) -> ApiResponse:
    """The API's answer; ApiUnavailable when none came after the retries."""
    settings = get_settings()
    timeout = aiohttp.ClientTimeout(total=settings.api_timeout_s)
    all_headers = {"Authorization": f"Bearer {settings.service_token}", **(headers or {})}
    url = f"{settings.api_url}/api/v1{path}"
    last: str = ""
    for attempt in range(retries + 1):
        if attempt:
            await asyncio.sleep(BACKOFF_S * 2 ** (attempt - 1))
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.request(method, url, json=json, params=params, headers=all_headers) as resp,
            ):
                body = await resp.json(content_type=None) if resp.content_length != 0 else None
                if resp.status < 500:
                    return ApiResponse(resp.status, body)
                last = f"risposta {resp.status}"
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            last = repr(exc)
    logger.warning("API non raggiungibile (%s %s): %s", method, path, last)
    raise ApiUnavailable(last)


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
    payload = asdict(vote)
    if payload["question"]:
        payload["question"] = payload["question"][:1000]
    try:
        response = await request("POST", "/feedback", json=payload)
    except ApiUnavailable:
        return False
    if response.status != 201:
        logger.warning("API feedback: risposta %s %s", response.status, str(response.body)[:300])
    return response.status == 201
