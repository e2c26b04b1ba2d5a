"""The bridge's HTTP server: health, Telegram's webhook and /internal/deliver."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from connectors.telegram.app import TelegramBridge
from connectors.telegram.server import SECRET_HEADER
from sportello.problems import MEDIA_TYPE
from tests.connectors.telegram.conftest import CHAT, SERVICE_TOKEN, WEBHOOK_SECRET, WEBHOOK_URL
from tests.connectors.telegram.fake_rasa import FakeRasa
from tests.connectors.telegram.fake_telegram import FakeTelegram

SENDER = f"telegram:{CHAT}"
AUTH = {"Authorization": f"Bearer {SERVICE_TOKEN}"}


def _problem(response: httpx.Response) -> dict[str, Any]:
    """An error's RFC 9457 problem details, checked: media type and standard members."""
    assert response.headers["content-type"] == MEDIA_TYPE
    body: dict[str, Any] = response.json()
    assert body["status"] == response.status_code and body["type"] == "about:blank" and body["title"], body
    assert isinstance(body["detail"], str) and body["detail"], body
    return body


def _url(bridge: TelegramBridge, path: str) -> str:
    return f"http://127.0.0.1:{bridge.port}{path}"


async def _post_update(bridge: TelegramBridge, update: dict[str, Any], secret: str | None) -> httpx.Response:
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.post(_url(bridge, "/telegram/webhook"), json=update, headers=headers)


async def _deliver(bridge: TelegramBridge, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.post(
            _url(bridge, "/internal/deliver"), json=body, headers=AUTH if headers is None else headers
        )


async def test_health_says_which_mode_runs(polling_bridge: TelegramBridge) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(_url(polling_bridge, "/health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "mode": "polling"}


async def test_polling_mode_has_no_webhook_route(telegram: FakeTelegram, polling_bridge: TelegramBridge) -> None:
    response = await _post_update(polling_bridge, telegram.message_update(CHAT, "ciao"), WEBHOOK_SECRET)
    assert response.status_code == 404
    assert _problem(response)["detail"] == "Risorsa non trovata."


async def test_a_wrong_method_is_a_405_problem_with_allow(polling_bridge: TelegramBridge) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(_url(polling_bridge, "/internal/deliver"), headers=AUTH)
    assert response.status_code == 405
    assert _problem(response)["detail"] == "Metodo non consentito."
    assert response.headers["Allow"] == "POST"


async def test_webhook_mode_registers_the_webhook_with_its_secret_and_does_not_poll(
    telegram: FakeTelegram, webhook_bridge: TelegramBridge
) -> None:
    assert telegram.webhook is not None
    assert telegram.webhook["url"] == WEBHOOK_URL
    assert telegram.webhook["secret_token"] == WEBHOOK_SECRET
    assert telegram.webhook["allowed_updates"] == ["message", "callback_query"]
    assert telegram.attempts("getUpdates") == []
    async with httpx.AsyncClient(timeout=10) as client:
        assert (await client.get(_url(webhook_bridge, "/health"))).json()["mode"] == "webhook"


@pytest.mark.parametrize(
    "secret", [None, "", "segreto-sbagliato", WEBHOOK_SECRET + "x"], ids=["assente", "vuoto", "errato", "più-lungo"]
)
async def test_webhook_without_the_right_secret_is_forbidden(
    telegram: FakeTelegram, rasa: FakeRasa, webhook_bridge: TelegramBridge, secret: str | None
) -> None:
    response = await _post_update(webhook_bridge, telegram.message_update(CHAT, "ciao"), secret)

    assert response.status_code == 403
    assert "segreto" in _problem(response)["detail"]
    # Nothing was processed: the next genuine update is the first one Rasa sees.
    assert (
        await _post_update(webhook_bridge, telegram.message_update(CHAT, "vero"), WEBHOOK_SECRET)
    ).status_code == 200
    await telegram.wait_sent(1, chat_id=CHAT)
    assert [r["message"] for r in rasa.received] == ["vero"]


async def test_webhook_with_the_right_secret_is_acknowledged_before_the_answer_is_ready(
    telegram: FakeTelegram, rasa: FakeRasa, webhook_bridge: TelegramBridge
) -> None:
    release = asyncio.Event()

    async def responder(sender: str, message: str) -> Any:
        await release.wait()
        return rasa.default_reply(sender, message)

    rasa.responder = responder
    response = await _post_update(webhook_bridge, telegram.message_update(CHAT, "ciao"), WEBHOOK_SECRET)

    # 200 while Rasa is still thinking: processing never delays the acknowledgement.
    assert response.status_code == 200
    assert telegram.sent(chat_id=CHAT) == []
    release.set()
    (reply,) = await telegram.wait_sent(1, chat_id=CHAT)
    assert reply["shown_text"] == "Hai scritto: ciao"


async def test_webhook_duplicate_update_id_is_handled_once(
    telegram: FakeTelegram, rasa: FakeRasa, webhook_bridge: TelegramBridge
) -> None:
    update = telegram.message_update(CHAT, "una volta sola")
    for _ in range(3):
        assert (await _post_update(webhook_bridge, update, WEBHOOK_SECRET)).status_code == 200
    await _post_update(webhook_bridge, telegram.message_update(CHAT, "fine"), WEBHOOK_SECRET)

    # Updates of a chat are processed in order: once "fine" is answered, the duplicates were seen.
    replies = await telegram.wait_sent(2, chat_id=CHAT)

    assert [r["shown_text"] for r in replies] == ["Hai scritto: una volta sola", "Hai scritto: fine"]
    assert [r["message"] for r in rasa.received] == ["una volta sola", "fine"]


async def test_webhook_button_press_is_answered(
    telegram: FakeTelegram, rasa: FakeRasa, webhook_bridge: TelegramBridge
) -> None:
    token = rasa.signer.sign("/feedback_positive", SENDER)
    press = telegram.callback_update(CHAT, token, message_id=7)

    assert (await _post_update(webhook_bridge, press, WEBHOOK_SECRET)).status_code == 200

    (reply,) = await telegram.wait_sent(1, chat_id=CHAT)
    assert reply["shown_text"] == "Hai scelto /feedback_positive"
    assert len(telegram.sent("answerCallbackQuery")) == 1


@pytest.mark.parametrize("body", [b"{non json", b"[1, 2]"], ids=["non-json", "non-oggetto"])
async def test_webhook_body_that_is_not_an_update_never_gets_a_500(webhook_bridge: TelegramBridge, body: bytes) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.post(
            _url(webhook_bridge, "/telegram/webhook"), content=body, headers={SECRET_HEADER: WEBHOOK_SECRET}
        )
    assert response.status_code == 400
    assert "JSON" in _problem(response)["detail"]


async def test_webhook_unknown_update_kind_is_acknowledged(
    telegram: FakeTelegram, webhook_bridge: TelegramBridge
) -> None:
    response = await _post_update(webhook_bridge, {"update_id": 5, "poll": {"id": "1"}}, WEBHOOK_SECRET)
    assert response.status_code == 200


# --- /internal/deliver -------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer sbagliato"},
        {"Authorization": SERVICE_TOKEN},
        {"Authorization": f"Basic {SERVICE_TOKEN}"},
    ],
    ids=["assente", "errato", "senza-schema", "basic"],
)
async def test_deliver_needs_the_service_token(
    telegram: FakeTelegram, polling_bridge: TelegramBridge, headers: dict[str, str]
) -> None:
    response = await _deliver(polling_bridge, {"sender_id": SENDER, "messages": [{"text": "ciao"}]}, headers)

    assert response.status_code == 401
    assert "token" in _problem(response)["detail"]
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        {"messages": [{"text": "ciao"}]},
        {"sender_id": "1001", "messages": [{"text": "ciao"}]},
        {"sender_id": "web:1001", "messages": [{"text": "ciao"}]},
        {"sender_id": SENDER},
        {"sender_id": SENDER, "messages": []},
        {"sender_id": SENDER, "messages": [{"text": ""}]},
        {"sender_id": SENDER, "messages": [{"text": "ciao", "colore": "rosso"}]},
        {"sender_id": SENDER, "messages": [{"text": "ciao", "buttons": [{"title": "x"}]}]},
        {"sender_id": SENDER, "messages": [{"text": "ciao", "buttons": [{"title": "x", "payload": "p" * 65}]}]},
    ],
    ids=[
        "vuoto", "lista", "senza-sender", "senza-prefisso", "altro-canale", "senza-messaggi", "messaggi-vuoti",
        "testo-vuoto", "campo-ignoto", "pulsante-senza-payload", "payload-oltre-64-byte",
    ],
)  # fmt: skip
async def test_deliver_refuses_a_bad_body_with_422(
    telegram: FakeTelegram, polling_bridge: TelegramBridge, body: Any
) -> None:
    response = await _deliver(polling_bridge, body)

    problem = _problem(response)
    assert response.status_code == 422
    assert problem["detail"].startswith("Richiesta non valida")
    assert problem["errors"] and all(set(error) == {"loc", "msg", "type"} for error in problem["errors"])
    assert telegram.sent() == []


async def test_deliver_names_the_wrong_field_and_our_reason(polling_bridge: TelegramBridge) -> None:
    response = await _deliver(polling_bridge, {"sender_id": SENDER, "messages": [{"text": ""}]})

    (error,) = _problem(response)["errors"]
    assert error["loc"] == ["messages", 0]
    assert error["msg"] == "ogni messaggio deve avere un testo o almeno un pulsante"


async def test_deliver_sends_the_messages_with_buttons_signed_for_that_chat(
    telegram: FakeTelegram, rasa: FakeRasa, polling_bridge: TelegramBridge
) -> None:
    body = {
        "sender_id": SENDER,
        "messages": [
            {"text": "Ciao, sono **Anna**, operatrice dello Sportello."},
            {
                "text": "Ti è stata utile la risposta?",
                "buttons": [
                    {"title": "👍 Utile", "payload": "/feedback_positive"},
                    {"title": "Modulo", "payload": "https://sportello.example.test/modulo"},
                ],
            },
        ],
    }

    response = await _deliver(polling_bridge, body)

    assert response.status_code == 202
    assert response.json() == {"status": "accepted", "messages": 2}
    first, second = await telegram.wait_sent(2, chat_id=CHAT)
    assert first["text"] == "Ciao, sono <b>Anna</b>, operatrice dello Sportello."
    vote, link = (row[0] for row in second["reply_markup"]["inline_keyboard"])
    assert rasa.payload_of(vote["callback_data"], SENDER) == "/feedback_positive"
    assert link["url"] == "https://sportello.example.test/modulo"

    # Pressing the delivered button reaches Rasa as a valid token of this conversation.
    await telegram.push(telegram.callback_update(CHAT, vote["callback_data"], second["message_id"]))
    replies = await telegram.wait_sent(3, chat_id=CHAT)
    assert replies[2]["shown_text"] == "Hai scelto /feedback_positive"


async def test_deliver_to_a_chat_that_blocked_the_bot_is_still_accepted(
    telegram: FakeTelegram, polling_bridge: TelegramBridge
) -> None:
    telegram.fail_next(
        "sendMessage", status=403, retry_after=None, description="Forbidden: bot was blocked by the user"
    )

    response = await _deliver(polling_bridge, {"sender_id": SENDER, "messages": [{"text": "ciao"}]})

    assert response.status_code == 202
    await telegram.wait_until(lambda: len(telegram.attempts("sendMessage")) == 1)
    await polling_bridge.deliverer.drain(10)
    assert telegram.sent() == []
