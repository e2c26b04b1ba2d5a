"""The action server answers only the Rasa server: every route but health needs the secret."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sanic import Sanic

from bot.actions.server import UNAUTHORIZED, build_app
from tests.bot.sanic_server import serving

SECRET = "segreto-delle-azioni-di-prova-abbastanza-lungo"
CALL = {
    "next_action": "action_faq_none",
    "sender_id": "telegram:424242",
    "tracker": {"sender_id": "telegram:424242", "slots": {}, "latest_message": {}, "events": [], "paused": False},
    "domain": {},
    "version": "3.6.2",
}


@pytest.fixture
async def actions_url(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    monkeypatch.setattr(Sanic, "test_mode", True)  # rasa-sdk names every app "rasa_sdk"
    async with serving(build_app(SECRET), monkeypatch) as url:
        yield url


async def _request(method: str, url: str, headers: dict[str, str] | None = None, **kwargs: Any) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session, session.request(method, url, headers=headers, **kwargs) as resp:
        return resp.status, await resp.json(content_type=None)


async def test_health_is_open(actions_url: str) -> None:
    assert await _request("GET", f"{actions_url}/health") == (200, {"status": "ok"})


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer sbagliato"},
        {"Authorization": f"Bearer {SECRET[:-1]}"},
        {"Authorization": f"Basic {SECRET}"},
        {"Authorization": SECRET},
    ],
    ids=["nessuno", "errato", "prefisso", "basic", "senza-schema"],
)
@pytest.mark.parametrize(("method", "path"), [("POST", "/webhook"), ("GET", "/actions")])
async def test_without_the_secret_nothing_runs(
    actions_url: str, headers: dict[str, str], method: str, path: str
) -> None:
    status, body = await _request(method, f"{actions_url}{path}", headers=headers, json=CALL)
    assert status == 401
    assert body["status"] == 401 and body["detail"] == UNAUTHORIZED


async def test_with_the_secret_the_action_runs(actions_url: str) -> None:
    status, body = await _request(
        "POST", f"{actions_url}/webhook", headers={"Authorization": f"Bearer {SECRET}"}, json=CALL
    )
    assert status == 200
    assert body["responses"][0]["response"] == "utter_rephrase"
    assert body["events"][0]["name"] == "misses"


def test_an_empty_secret_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="vuoto"):
        build_app("")
