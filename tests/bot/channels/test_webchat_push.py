"""POST /webhooks/webchat/push: authenticated, validated, recorded in the tracker, delivered live."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest
from rasa.shared.core.events import BotUttered, UserUttered

from bot.channels.webchat_session import SessionTokens, derive_key
from sportello.payloads import PayloadSigner
from sportello.problems import MEDIA_TYPE
from tests.bot.channels.conftest import BUTTON_SECRET, SERVICE_TOKEN, ChatClient, WebchatServer

TOKENS = SessionTokens(derive_key(BUTTON_SECRET.encode()))
SIGNER = PayloadSigner(BUTTON_SECRET.encode())
AUTH = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
OPERATOR = {"text": "Sono Anna, operatrice dello Sportello: ti rispondo io.", "buttons": []}


def _problem(status: int, body: Any, content_type: str) -> dict[str, Any]:
    """An error's problem details, checked: media type and standard members."""
    assert content_type == MEDIA_TYPE
    assert body["status"] == status and body["type"] == "about:blank" and body["title"], body
    assert isinstance(body["detail"], str), body
    result: dict[str, Any] = body
    return result


async def _post(server: WebchatServer, body: Any, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    timeout = aiohttp.ClientTimeout(total=10)
    async with (
        aiohttp.ClientSession(timeout=timeout) as session,
        session.post(
            f"{server.url}/webhooks/webchat/push",
            data=data,
            headers={"Content-Type": "application/json", **(AUTH if headers is None else headers)},
        ) as resp,
    ):
        payload = await resp.json(content_type=None)
        return resp.status, (_problem(resp.status, payload, resp.content_type) if resp.status >= 400 else payload)


async def _existing_conversation(server: WebchatServer) -> str:
    sender = TOKENS.issue().sender_id
    tracker = await server.agent.tracker_store.get_or_create_tracker(sender)
    tracker.update(UserUttered("vorrei parlare con una persona", message_id="m1"))
    await server.agent.tracker_store.save(tracker)
    return sender


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer sbagliato"},
        {"Authorization": f"Basic {SERVICE_TOKEN}"},
        {"Authorization": SERVICE_TOKEN},
        {"Authorization": f"Bearer {SERVICE_TOKEN}x"},
        {"Authorization": "Bearer "},
    ],
    ids=["nessuno", "errato", "basic", "senza-schema", "in-piu", "vuoto"],
)
async def test_refused_without_the_service_token(webchat_server: WebchatServer, headers: dict[str, str]) -> None:
    sender = await _existing_conversation(webchat_server)
    status, body = await _post(webchat_server, {"sender_id": sender, "messages": [OPERATOR]}, headers)
    assert status == 401 and "token" in body["detail"]
    tracker = await webchat_server.agent.tracker_store.retrieve(sender)
    assert tracker is not None and not any(isinstance(e, BotUttered) for e in tracker.events)


async def test_authentication_comes_before_validation(webchat_server: WebchatServer) -> None:
    status, _ = await _post(webchat_server, b"{non json", {})
    assert status == 401


@pytest.mark.parametrize("body", [b"{non json", b"[1, 2]", b'"testo"'])
async def test_a_body_that_is_not_a_json_object_is_a_400(webchat_server: WebchatServer, body: bytes) -> None:
    status, payload = await _post(webchat_server, body)
    assert status == 400 and "JSON" in payload["detail"]


@pytest.mark.parametrize(
    "body",
    [
        {"messages": [OPERATOR]},
        {"sender_id": "utente-rest", "messages": [OPERATOR]},
        {"sender_id": "web:corto", "messages": [OPERATOR]},
        {"sender_id": "SENDER", "messages": []},
        {"sender_id": "SENDER", "messages": [{"text": ""}]},
        {"sender_id": "SENDER", "messages": [{"text": "x" * 4001}]},
        {"sender_id": "SENDER", "messages": [{"text": "ciao", "buttons": [{"title": "", "payload": "/x"}]}]},
        {"sender_id": "SENDER", "messages": [{"text": "ciao", "buttons": [{"title": "a", "payload": "/a"}] * 11}]},
        {"sender_id": "SENDER", "messages": [OPERATOR] * 21},
        {"sender_id": "SENDER", "messages": [{"text": "ciao", "immagine": "x.png"}]},
        {"sender_id": "SENDER", "messages": [OPERATOR], "altro": 1},
    ],
)
async def test_an_invalid_body_is_a_422(webchat_server: WebchatServer, body: dict[str, Any]) -> None:
    sender = await _existing_conversation(webchat_server)
    if body.get("sender_id") == "SENDER":
        body = {**body, "sender_id": sender}
    status, payload = await _post(webchat_server, body)
    assert status == 422 and payload["detail"].startswith("Richiesta non valida")
    assert payload["errors"] and all(set(error) == {"loc", "msg", "type"} for error in payload["errors"])


async def test_an_unknown_conversation_is_a_404(webchat_server: WebchatServer) -> None:
    status, payload = await _post(webchat_server, {"sender_id": TOKENS.issue().sender_id, "messages": [OPERATOR]})
    assert status == 404 and "non trovata" in payload["detail"]


async def test_pushed_messages_are_recorded_as_bot_events(webchat_server: WebchatServer) -> None:
    sender = await _existing_conversation(webchat_server)
    buttons = [{"title": "Parla con un operatore", "payload": "/human_handoff"}]
    messages = [OPERATOR, {"text": "Ti serve altro?", "buttons": buttons}]
    status, payload = await _post(webchat_server, {"sender_id": sender, "messages": messages})
    assert status == 200 and payload == {"recorded": 2, "connected": False}
    tracker = await webchat_server.agent.tracker_store.retrieve(sender)
    assert tracker is not None
    bots = [e for e in tracker.events if isinstance(e, BotUttered)]
    assert [b.text for b in bots] == [OPERATOR["text"], "Ti serve altro?"]
    assert bots[1].data["buttons"] == buttons


async def test_pushed_messages_reach_the_open_widget_and_its_history(
    webchat_server: WebchatServer, connect: Any
) -> None:
    client: ChatClient = await connect()
    token = (await client.session())["token"]
    await client.say("vorrei un operatore")
    await client.next("bot_uttered")
    sender = f"web:{TOKENS.verify(token)}"

    messages = [{"text": "Eccomi!", "buttons": [{"title": "Grazie", "payload": "/thanks"}]}]
    status, payload = await _post(webchat_server, {"sender_id": sender, "messages": messages})
    assert status == 200 and payload["connected"] is True
    pushed = await client.next("bot_uttered")
    assert pushed["text"] == "Eccomi!"
    assert SIGNER.verify(pushed["buttons"][0]["payload"], sender) == "/thanks"

    later: ChatClient = await connect()
    history = (await later.session(token))["history"]
    assert history[-1] == pushed


async def test_the_errors_of_an_invalid_body_name_each_field_in_italian(webchat_server: WebchatServer) -> None:
    sender = await _existing_conversation(webchat_server)
    body = {"messages": [{"text": "x" * 4001}, {"text": "", "colore": "rosso"}]}
    status, payload = await _post(webchat_server, body)
    assert status == 422
    assert {tuple(e["loc"]): e["msg"] for e in payload["errors"]} == {
        ("sender_id",): "Campo obbligatorio.",
        ("messages", 0, "text"): "Può contenere al massimo 4000 caratteri.",
        ("messages", 1, "colore"): "Campo non previsto.",
    }
    status, payload = await _post(webchat_server, {"sender_id": sender, "messages": [{"text": ""}]})
    assert status == 422
    assert [e["msg"] for e in payload["errors"]] == ["ogni messaggio deve avere un testo o dei pulsanti"]
