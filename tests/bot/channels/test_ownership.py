"""The ownership gate: an owned conversation is recorded for the operator and the assistant stays silent.

The API is a stand-in (tests/bot/channels/takeover_support.py); the REST, bridge and
web chat channels run on real Sanic servers.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import ActionExecuted, UserUttered
from sanic import Sanic

from bot.channels import ownership
from bot.channels.bridge import BridgeInput
from bot.channels.ownership import NOT_OWNED, Ownership, OwnershipGate
from bot.channels.rest import RestInput
from bot.channels.settings import get_settings
from tests.bot.channels.conftest import SERVICE_TOKEN, ChatClient, StubAgent, WebchatServer
from tests.bot.channels.takeover_support import FakeApi, StubProcessor, serving
from tests.bot.sanic_server import serving as serving_sanic
from tests.ports import free_port

TICKET = "SW-2026-000042"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def api(channel_env: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeApi]:
    """The API stand-in, and the channels' settings pointing at it."""
    fake = FakeApi()
    async with serving(fake.app()) as url:
        fake.url = url
        monkeypatch.setenv("SPORTELLO_API_URL", url)
        get_settings.cache_clear()
        yield fake


def _agent() -> StubAgent:
    agent = StubAgent()
    agent.processor = StubProcessor(agent.tracker_store)  # type: ignore[attr-defined]
    return agent


def _gate(api: FakeApi, clock: Clock | None = None, token: str = SERVICE_TOKEN) -> OwnershipGate:
    return OwnershipGate(api.url, token, timeout_s=5, clock=clock or Clock())


async def _events(agent: StubAgent, sender: str) -> list[Any]:
    """The conversation's events after the action_listen a new tracker starts with."""
    tracker = await agent.tracker_store.retrieve(sender)
    return list(tracker.events)[1:] if tracker is not None else []


# --- asking the API --------------------------------------------------------------------


async def test_an_owned_conversation_names_its_ticket_and_operator(api: FakeApi) -> None:
    api.owners["web:AAAAAAAAAAAAAAAAAAAAAAAA"] = (TICKET, "Anna")
    gate = _gate(api)
    assert await gate.owner("web:AAAAAAAAAAAAAAAAAAAAAAAA") == Ownership(True, TICKET, "Anna")
    assert await gate.owner("web:BBBBBBBBBBBBBBBBBBBBBBBB") == NOT_OWNED


async def test_any_sender_id_reaches_the_api_intact(api: FakeApi) -> None:
    sender = "app.utente@esempio:1"  # every character the REST channel accepts in a sender id
    api.owners[sender] = (TICKET, "Anna")
    assert (await _gate(api).owner(sender)).owned
    assert api.owner_requests == [sender]


async def test_the_answer_is_kept_for_a_moment_and_forgotten_on_request(api: FakeApi) -> None:
    clock = Clock()
    gate = _gate(api, clock)
    sender = "telegram:1001"
    assert not (await gate.owner(sender)).owned
    api.owners[sender] = (TICKET, "Anna")
    assert not (await gate.owner(sender)).owned  # still the cached answer
    assert len(api.owner_requests) == 1
    clock.now += ownership.CACHE_S + 0.1
    assert (await gate.owner(sender)).owned
    api.owners.clear()
    gate.forget(sender)  # what the operator channel does when someone joins or leaves
    assert not (await gate.owner(sender)).owned
    assert len(api.owner_requests) == 3


async def test_an_unreachable_api_fails_open_without_asking_at_every_message(
    api: FakeApi, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    down = OwnershipGate(f"http://127.0.0.1:{free_port()}", SERVICE_TOKEN, timeout_s=5, clock=clock)
    assert await down.owner("telegram:1001") == NOT_OWNED
    assert "risponde l'assistente" in caplog.text

    api.owners["telegram:1001"] = (TICKET, "Anna")
    refused = _gate(api, clock, token="token-sbagliato")  # the API answers 401: it cannot say either
    assert await refused.owner("telegram:1001") == NOT_OWNED
    assert await refused.owner("telegram:1001") == NOT_OWNED
    assert len(api.owner_requests) == 1  # asked once: the failure is remembered for a while
    clock.now += ownership.FAILURE_CACHE_S + 0.1
    assert await refused.owner("telegram:1001") == NOT_OWNED
    assert len(api.owner_requests) == 2


# --- intercepting a message ---------------------------------------------------------------


def _message(sender: str, text: str = "e per i figli vale lo stesso?") -> UserMessage:
    return UserMessage(text, sender_id=sender, input_channel="webchat", message_id="m-1")


async def test_an_owned_message_goes_to_the_operator_and_into_the_tracker(api: FakeApi) -> None:
    sender = "web:AAAAAAAAAAAAAAAAAAAAAAAA"
    api.owners[sender] = (TICKET, "Anna")
    agent = _agent()

    assert await _gate(api).intercept(agent, _message(sender)) is True

    assert api.messages == [(sender, {"text": "e per i figli vale lo stesso?", "intent": "faq", "confidence": 0.82})]
    user, listen = await _events(agent, sender)
    assert isinstance(user, UserUttered) and user.text == "e per i figli vale lo stesso?"
    assert user.intent["name"] == "faq" and user.message_id == "m-1" and user.input_channel == "webchat"
    assert user.metadata == {"owned_by": {"ticket": TICKET, "operator_name": "Anna"}}
    assert isinstance(listen, ActionExecuted) and listen.action_name == "action_listen"


async def test_a_conversation_nobody_owns_is_left_to_the_assistant(api: FakeApi) -> None:
    agent = _agent()
    assert await _gate(api).intercept(agent, _message("telegram:1001")) is False
    assert api.messages == [] and agent.processor.parsed == []  # type: ignore[attr-defined]
    assert await _events(agent, "telegram:1001") == []


async def test_a_hand_back_at_that_very_moment_lets_the_assistant_answer(api: FakeApi) -> None:
    sender = "telegram:1001"
    api.owners[sender] = (TICKET, "Anna")
    api.released_on_message = True
    agent = _agent()
    gate = _gate(api)
    assert await gate.intercept(agent, _message(sender)) is False
    assert await _events(agent, sender) == []  # Rasa records it when it answers
    assert await gate.owner(sender) == NOT_OWNED and len(api.owner_requests) == 1


async def test_when_the_api_cannot_take_the_message_the_assistant_answers(
    api: FakeApi, caplog: pytest.LogCaptureFixture
) -> None:
    sender = "telegram:1001"
    api.owners[sender] = (TICKET, "Anna")
    api.failing_messages = True
    agent = _agent()
    assert await _gate(api).intercept(agent, _message(sender)) is False
    assert await _events(agent, sender) == []
    assert "risponde l'assistente" in caplog.text


async def test_without_a_loaded_agent_the_gate_fails_open(api: FakeApi) -> None:
    api.owners["telegram:1001"] = (TICKET, "Anna")
    assert await _gate(api).intercept(None, _message("telegram:1001")) is False


# --- the channels -------------------------------------------------------------------------


@dataclass
class Channels:
    url: str
    agent: StubAgent
    received: list[UserMessage]


@pytest.fixture
async def channels(api: FakeApi, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Channels]:
    received: list[UserMessage] = []

    async def on_new_message(message: UserMessage) -> None:
        received.append(message)
        await message.output_channel.send_text_message(message.sender_id, f"Hai scritto: {message.text}")

    app = Sanic(f"gate_test_{uuid.uuid4().hex}")
    agent = _agent()
    app.ctx.agent = agent
    for channel in (RestInput(), BridgeInput()):
        app.blueprint(channel.blueprint(on_new_message), url_prefix=f"/webhooks/{channel.name()}")
    async with serving_sanic(app, monkeypatch) as url:
        yield Channels(url, agent, received)


async def _post(url: str, body: Any, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session, session.post(url, json=body, headers=headers) as resp:
        return resp.status, await resp.json(content_type=None)


async def test_rest_an_owned_conversation_gets_no_answer(channels: Channels, api: FakeApi) -> None:
    api.owners["app-42"] = (TICKET, "Anna")
    status, body = await _post(f"{channels.url}/webhooks/rest/webhook", {"sender": "app-42", "message": "ci sei?"})
    assert (status, body) == (200, [])
    assert channels.received == []
    assert api.messages == [("app-42", {"text": "ci sei?", "intent": "faq", "confidence": 0.82})]

    api.owners.clear()
    ownership.gate().forget("app-42")
    status, body = await _post(f"{channels.url}/webhooks/rest/webhook", {"sender": "app-42", "message": "ciao"})
    assert body == [{"recipient_id": "app-42", "text": "Hai scritto: ciao"}]


async def test_bridge_an_owned_telegram_chat_gets_no_answer(channels: Channels, api: FakeApi) -> None:
    api.owners["telegram:1001"] = (TICKET, "Anna")
    headers = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
    status, body = await _post(
        f"{channels.url}/webhooks/bridge/webhook", {"sender": "telegram:1001", "message": "/restart"}, headers
    )
    assert (status, body) == (200, [])
    # A typed "/restart" is text like any other (the guard strips the slash): it reaches the operator.
    assert api.messages[-1][1]["text"] == "restart"
    assert channels.received == []
    user = (await _events(channels.agent, "telegram:1001"))[0]
    assert user.metadata["owned_by"]["ticket"] == TICKET and user.input_channel == "telegram"


async def test_a_screened_refusal_is_answered_even_when_owned(channels: Channels, api: FakeApi) -> None:
    # The guard's own replies (empty, too long, no words) are not the assistant answering a question.
    api.owners["app-42"] = (TICKET, "Anna")
    status, body = await _post(f"{channels.url}/webhooks/rest/webhook", {"sender": "app-42", "message": "   "})
    assert status == 200 and "vuoto" in body[0]["text"]
    assert api.messages == []


async def test_webchat_an_owned_conversation_gets_no_answer(
    api: FakeApi, webchat_server: WebchatServer, connect: Any
) -> None:
    webchat_server.agent.processor = StubProcessor(webchat_server.agent.tracker_store)  # type: ignore[attr-defined]
    user: ChatClient = await connect()
    await user.session()
    api.owners[user.sender_id] = (TICKET, "Anna")

    assert await user.say("ci sei ancora?") == {"status": "owned"}

    api.owners.clear()
    ownership.gate().forget(user.sender_id)
    assert await user.say("allora chiedo all'assistente") == {"status": "ok"}
    # The first bot message is the answer to the second question: the first got none.
    answer = await user.next("bot_uttered")
    assert answer["text"] == "Hai scritto: allora chiedo all'assistente"
    assert [m.text for m in webchat_server.received] == ["allora chiedo all'assistente"]
    assert api.messages == [(user.sender_id, {"text": "ci sei ancora?", "intent": "faq", "confidence": 0.82})]
    first = (await _events(webchat_server.agent, user.sender_id))[0]
    assert first.text == "ci sei ancora?" and first.metadata["owned_by"]["operator_name"] == "Anna"
