"""Errors Sanic raises before a channel handler runs are problem details too."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from bot.channels import sanic_problems
from bot.channels.rest import RestInput
from sportello.problems import MEDIA_TYPE
from tests.bot.sanic_server import serving


@pytest.fixture
async def rasa_like_app(channel_env: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    async def on_new_message(message: UserMessage) -> None:
        return None

    app = Sanic(f"problems_test_{uuid.uuid4().hex}")
    channel = RestInput()
    app.blueprint(channel.blueprint(on_new_message), url_prefix=f"/webhooks/{channel.name()}")
    async with serving(app, monkeypatch) as url:
        yield url


async def _request(method: str, url: str) -> tuple[int, dict[str, object], str, str | None]:
    async with aiohttp.ClientSession() as session, session.request(method, url) as resp:
        return resp.status, await resp.json(content_type=None), resp.content_type, resp.headers.get("Allow")


async def test_an_unknown_path_is_a_404_problem_in_italian(rasa_like_app: str) -> None:
    status, body, content_type, _ = await _request("GET", f"{rasa_like_app}/non/esiste")

    assert status == 404
    assert content_type == MEDIA_TYPE
    assert body == {"type": "about:blank", "title": "Not Found", "status": 404, "detail": "Risorsa non trovata."}


async def test_a_wrong_method_is_a_405_problem_that_names_the_allowed_ones(rasa_like_app: str) -> None:
    status, body, content_type, allow = await _request("GET", f"{rasa_like_app}/webhooks/rest/webhook")

    assert status == 405
    assert content_type == MEDIA_TYPE
    assert body["detail"] == "Metodo non consentito."
    assert allow is not None and "POST" in allow


def test_installing_twice_registers_one_handler() -> None:
    app = Sanic(f"problems_twice_{uuid.uuid4().hex}")
    sanic_problems.install(app)
    sanic_problems.install(app)

    assert list(app.error_handler.cached_handlers.values()).count(sanic_problems.problem_for) == 1
