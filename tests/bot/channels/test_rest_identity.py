"""Conversation identity on the REST and bridge channels: nobody speaks for a conversation
of another channel by naming it, and the input channel is never what a client says."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from bot.channels.bridge import NOT_BRIDGED, BridgeInput
from bot.channels.rest import RestInput
from bot.channels.service_requests import UNAUTHORIZED
from sportello.identity import CHANNEL_PREFIXES
from tests.bot.channels.conftest import SERVICE_TOKEN
from tests.bot.sanic_server import serving

AUTH = {"Authorization": f"Bearer {SERVICE_TOKEN}"}


@dataclass
class Channels:
    url: str
    received: list[UserMessage]


@pytest.fixture
async def channels(channel_env: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Channels]:
    received: list[UserMessage] = []

    async def on_new_message(message: UserMessage) -> None:
        received.append(message)
        await message.output_channel.send_text_message(message.sender_id, f"Hai scritto: {message.text}")

    app = Sanic(f"rest_test_{uuid.uuid4().hex}")
    for channel in (RestInput(), BridgeInput()):
        app.blueprint(channel.blueprint(on_new_message), url_prefix=f"/webhooks/{channel.name()}")
    async with serving(app, monkeypatch) as url:
        yield Channels(url, received)


async def _post(url: str, body: Any, headers: dict[str, str] | None = None) -> tuple[int, Any, str]:
    async with aiohttp.ClientSession() as session, session.post(url, json=body, headers=headers) as resp:
        return resp.status, await resp.json(content_type=None), resp.content_type


async def test_an_ordinary_sender_keeps_rasas_rest_contract(channels: Channels) -> None:
    status, body, _ = await _post(f"{channels.url}/webhooks/rest/webhook", {"sender": "app-42", "message": "ciao"})
    assert status == 200
    assert body == [{"recipient_id": "app-42", "text": "Hai scritto: ciao"}]
    assert channels.received[-1].input_channel == "rest"


@pytest.mark.parametrize("claimed", ["telegram", "webchat", "socketio", "", None, 42])
async def test_a_client_supplied_input_channel_is_ignored(channels: Channels, claimed: object) -> None:
    body = {"sender": "app-42", "message": "ciao", "input_channel": claimed}
    status, _, _ = await _post(f"{channels.url}/webhooks/rest/webhook", body)
    assert status == 200
    assert channels.received[-1].input_channel == "rest"


@pytest.mark.parametrize(
    "sender",
    [
        *(prefix + "424242" for prefix in CHANNEL_PREFIXES.values()),
        "TELEGRAM:424242",
        "Web:AAAAAAAAAAAAAAAAAAAAAAAA",
        "telegram:-100123",
    ],
)
async def test_reserved_senders_are_refused_on_the_public_channel(channels: Channels, sender: str) -> None:
    status, body, content_type = await _post(
        f"{channels.url}/webhooks/rest/webhook", {"sender": sender, "message": "ciao", "input_channel": "telegram"}
    )
    assert status == 403
    assert content_type == "application/problem+json"
    assert body["status"] == 403 and "riservato" in body["detail"]
    assert channels.received == []


@pytest.mark.parametrize(
    "headers",
    [None, {"Authorization": "Bearer sbagliato"}, {"Authorization": f"Basic {SERVICE_TOKEN}"}],
    ids=["nessuno", "errato", "basic"],
)
async def test_the_bridge_channel_needs_the_service_token(channels: Channels, headers: dict[str, str] | None) -> None:
    status, body, _ = await _post(
        f"{channels.url}/webhooks/bridge/webhook", {"sender": "telegram:424242", "message": "ciao"}, headers
    )
    assert status == 401
    assert body["detail"] == UNAUTHORIZED
    assert channels.received == []


async def test_the_bridge_speaks_for_telegram_conversations(channels: Channels) -> None:
    body = {"sender": "telegram:424242", "message": "ciao", "input_channel": "rest"}
    status, reply, _ = await _post(f"{channels.url}/webhooks/bridge/webhook", body, AUTH)
    assert status == 200
    assert reply == [{"recipient_id": "telegram:424242", "text": "Hai scritto: ciao"}]
    assert channels.received[-1].input_channel == "telegram"


@pytest.mark.parametrize("sender", ["app-42", "web:AAAAAAAAAAAAAAAAAAAAAAAA"])
async def test_the_bridge_channel_refuses_conversations_it_does_not_bridge(channels: Channels, sender: str) -> None:
    status, body, _ = await _post(f"{channels.url}/webhooks/bridge/webhook", {"sender": sender, "message": "x"}, AUTH)
    assert status == 403
    assert body["detail"] == NOT_BRIDGED
    assert channels.received == []
