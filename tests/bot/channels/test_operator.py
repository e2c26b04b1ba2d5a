"""The operator channel: an operator's message reaches the user live (or on return) and is in the tracker;
suggested answers come from the assistant's own ranking and the knowledge base."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Sanic

from bot.channels import ownership
from bot.channels.operator import OPERATOR_CONTACT, OperatorInput
from bot.channels.settings import get_settings
from bot.channels.webchat import WebchatInput
from bot.channels.webchat_session import SessionTokens, derive_key
from bot.kb.loader import load_knowledge_base
from bot.kb.render import render_answer
from sportello.problems import MEDIA_TYPE
from tests.bot.channels.conftest import BUTTON_SECRET, SERVICE_TOKEN, ChatClient, StubAgent
from tests.bot.channels.takeover_support import FakeApi, FakeBridge, StubProcessor, serving
from tests.ports import free_port

AUTH = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
TOKENS = SessionTokens(derive_key(BUTTON_SECRET.encode()))
CHAT = "telegram:1001"


@dataclass
class Server:
    url: str
    agent: StubAgent
    bridge: FakeBridge
    api: FakeApi


@pytest.fixture
async def server(channel_env: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Server]:
    """The web chat and operator channels on one Sanic app, as the Rasa server registers them."""
    bridge, api = FakeBridge(), FakeApi()
    async with serving(bridge.app()) as bridge_url, serving(api.app()) as api_url:
        api.url = api_url
        monkeypatch.setenv("SPORTELLO_TELEGRAM_URL", bridge_url)
        monkeypatch.setenv("SPORTELLO_API_URL", api_url)
        get_settings.cache_clear()
        monkeypatch.setattr(Sanic, "test_mode", True)
        agent = StubAgent()
        agent.processor = StubProcessor(agent.tracker_store)  # type: ignore[attr-defined]

        async def on_new_message(message: UserMessage) -> None:
            raise AssertionError("nessun messaggio dovrebbe arrivare a Rasa")

        webchat, operator = WebchatInput(), OperatorInput()
        app = Sanic(f"operator_test_{uuid.uuid4().hex}")
        app.ctx.agent = agent
        app.ctx.input_channels = [webchat, operator]
        for channel in (webchat, operator):
            app.blueprint(channel.blueprint(on_new_message), url_prefix=f"/webhooks/{channel.name()}")
        port = free_port()
        http = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
        assert http is not None
        await http.startup()
        await http.before_start()
        await http.after_start()
        try:
            yield Server(f"http://127.0.0.1:{port}", agent, bridge, api)
        finally:
            assert webchat.sio is not None
            await webchat.sio.shutdown()
            for task in asyncio.all_tasks():  # engine.io's ping sleepers (see conftest.py)
                if task.get_coro().__qualname__.endswith("AsyncSocket._send_ping"):  # type: ignore[union-attr]
                    task.cancel()
            await http.before_stop()
            http.close()
            await http.wait_closed()
            await http.after_stop()


@pytest.fixture
async def client(server: Server) -> AsyncIterator[ChatClient]:
    """A web chat user with a conversation (one message already in the tracker)."""
    chat = ChatClient()
    await chat.connect(server.url)
    await chat.session()
    tracker = await server.agent.tracker_store.get_or_create_tracker(chat.sender_id)
    tracker.update(UserUttered("vorrei parlare con una persona", message_id="m1"))
    await server.agent.tracker_store.save(tracker)
    yield chat
    await chat.close()


async def _post(server: Server, path: str, body: Any, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    data = body if isinstance(body, bytes) else json.dumps(body)
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session,
        session.post(
            f"{server.url}/webhooks/operator/{path}",
            data=data,
            headers={"Content-Type": "application/json", **(AUTH if headers is None else headers)},
        ) as resp,
    ):
        payload = await resp.json(content_type=None)
        if resp.status >= 400:
            assert resp.content_type == MEDIA_TYPE and payload["status"] == resp.status, payload
        return resp.status, payload


def _say(sender: str, text: str = "Ciao, sono qui per aiutarti.", **extra: Any) -> dict[str, Any]:
    return {"sender_id": sender, "text": text, "operator_name": "Anna", **extra}


async def _bot_events(server: Server, sender: str) -> list[BotUttered]:
    tracker = await server.agent.tracker_store.retrieve(sender)
    assert tracker is not None
    return [e for e in tracker.events if isinstance(e, BotUttered)]


async def _telegram_conversation(server: Server) -> None:
    tracker = await server.agent.tracker_store.get_or_create_tracker(CHAT)
    tracker.update(UserUttered("voglio un operatore", message_id="t1"))
    await server.agent.tracker_store.save(tracker)


# --- say -----------------------------------------------------------------------------


async def test_an_operators_message_reaches_the_open_chat_under_their_name(server: Server, client: ChatClient) -> None:
    status, body = await _post(server, "say", _say(client.sender_id))
    assert (status, body) == (200, {"recorded": True, "delivered": True})

    shown = await client.next("bot_uttered")
    assert shown["text"] == "**Anna** (Sportello Welfare): Ciao, sono qui per aiutarti."
    (event,) = await _bot_events(server, client.sender_id)
    assert event.text == shown["text"]
    assert event.metadata == {"operator": True, "operator_name": "Anna", "notice": False}


async def test_a_notice_is_shown_as_it_is(server: Server, client: ChatClient) -> None:
    notice = "Ti risponde Anna dello Sportello Welfare: da adesso scrivi pure qui, ti legge una persona."
    status, _ = await _post(server, "say", _say(client.sender_id, notice, notice=True))
    assert status == 200
    assert (await client.next("bot_uttered"))["text"] == notice
    assert (await _bot_events(server, client.sender_id))[0].metadata["notice"] is True


async def test_a_user_who_is_offline_finds_the_reply_on_return(server: Server, client: ChatClient) -> None:
    token, sender = client.token, client.sender_id
    await client.close()
    status, body = await _post(server, "say", _say(sender, "Ti ho risposto anche via email."))
    assert status == 200 and body["delivered"] is False

    back = ChatClient()
    await back.connect(server.url)
    try:
        confirm = await back.session(token)
        assert confirm["resumed"] is True
        assert confirm["history"][-1]["text"] == "**Anna** (Sportello Welfare): Ti ho risposto anche via email."
    finally:
        await back.close()


async def test_telegram_goes_through_the_bridge_and_is_recorded(server: Server) -> None:
    await _telegram_conversation(server)
    status, body = await _post(server, "say", _say(CHAT))
    assert (status, body) == (200, {"recorded": True, "delivered": True})
    assert server.bridge.delivered == [
        {"sender_id": CHAT, "messages": [{"text": "**Anna** (Sportello Welfare): Ciao, sono qui per aiutarti."}]}
    ]
    assert len(await _bot_events(server, CHAT)) == 1


async def test_a_message_the_bridge_refused_is_not_recorded(server: Server) -> None:
    await _telegram_conversation(server)
    server.bridge.status = 503
    status, body = await _post(server, "say", _say(CHAT))
    assert status == 503 and "Telegram" in body["detail"]
    assert await _bot_events(server, CHAT) == []


async def test_saying_something_makes_the_gate_ask_again(server: Server, client: ChatClient) -> None:
    server.api.owners[client.sender_id] = ("SW-2026-000042", "Anna")
    gate = ownership.gate()
    assert (await gate.owner(client.sender_id)).owned
    server.api.owners.clear()  # handed back...
    await _post(server, "say", _say(client.sender_id, "Ora ti risponde di nuovo l'assistente virtuale.", notice=True))
    assert not (await gate.owner(client.sender_id)).owned  # ...and the gate knows at once


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (_say("web:AAAAAAAAAAAAAAAAAAAAAAAA"), 404),  # no such conversation
        (_say("app-42"), 422),  # a REST client cannot be reached
        (_say("telegram:1001", ""), 422),
        (_say("telegram:1001", "x" * 4001), 422),
        ({"sender_id": "telegram:1001", "text": "ciao"}, 422),
        ({**_say("telegram:1001"), "buttons": []}, 422),
        (b"{non json", 400),
        (b"[1, 2]", 400),
    ],
    ids=["sconosciuta", "rest", "vuoto", "lungo", "senza-nome", "campo-in-piu", "non-json", "lista"],
)
async def test_invalid_requests_are_refused(server: Server, body: Any, status: int) -> None:
    got, problem = await _post(server, "say", body)
    assert got == status
    assert server.bridge.delivered == []
    if status == 422 and isinstance(body, dict) and body.get("sender_id") == "telegram:1001":
        assert problem["errors"]


@pytest.mark.parametrize("path", ["say", "suggest"])
@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer sbagliato"}, {"Authorization": f"Basic {SERVICE_TOKEN}"}],
    ids=["nessuno", "errato", "basic"],
)
async def test_refused_without_the_service_token(
    server: Server, client: ChatClient, path: str, headers: dict[str, str]
) -> None:
    status, body = await _post(server, path, _say(client.sender_id) if path == "say" else {"text": "ciao"}, headers)
    assert status == 401 and "token" in body["detail"]
    assert await _bot_events(server, client.sender_id) == []
    assert server.agent.processor.parsed == []  # type: ignore[attr-defined]


# --- suggest -------------------------------------------------------------------------


async def test_suggestions_are_the_models_best_topics_with_their_answers(server: Server) -> None:
    status, body = await _post(server, "suggest", {"text": "fino a quanto sono esenti i buoni pasto?"})
    assert status == 200
    kb = load_knowledge_base()
    topics = [s["topic_id"] for s in body["suggestions"]]
    assert topics == ["buoni_pasto", "fringe_soglie_2026"]  # a topic the knowledge base lacks is left out
    first = body["suggestions"][0]
    topic = kb.get("buoni_pasto")
    assert topic is not None
    assert first == {
        "topic_id": "buoni_pasto",
        "title": topic.title,
        "answer": render_answer(topic, OPERATOR_CONTACT),
        "references": list(topic.references),
        "years": topic.years,
        "confidence": 0.7,
    }
    assert server.agent.processor.parsed == ["fino a quanto sono esenti i buoni pasto?"]  # type: ignore[attr-defined]


async def test_a_slash_never_makes_a_suggestion_an_intent(server: Server) -> None:
    await _post(server, "suggest", {"text": "/human_handoff"})
    assert server.agent.processor.parsed == ["human_handoff"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("body", [{}, {"text": ""}, {"text": "ok", "altro": 1}])
async def test_invalid_suggestion_requests(server: Server, body: Any) -> None:
    status, _ = await _post(server, "suggest", body)
    assert status == 422
