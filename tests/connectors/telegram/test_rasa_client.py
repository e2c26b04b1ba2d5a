"""The bridge channel client: request shape, authentication, and every failure becomes the Italian reply."""

from __future__ import annotations

import json
from typing import Any

import httpx

from connectors.telegram.messages import BUTTONS_ONLY_TEXT, BotMessage, Button
from connectors.telegram.rasa_client import RasaClient
from sportello.replies import FAILURE_REPLY


def _client(handler: Any) -> RasaClient:
    return RasaClient("http://rasa.test", 5.0, "token-del-ponte", transport=httpx.MockTransport(handler))


async def test_posts_sender_and_message_to_the_bridge_webhook_with_the_service_token() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200,
            json=[
                {"recipient_id": "telegram:5", "text": "Ecco", "buttons": [{"title": "Sì", "payload": "~affirm.abc"}]},
                {"recipient_id": "telegram:5", "text": "Seconda"},
            ],
        )

    client = _client(handler)
    replies = await client.send("telegram:5", "ciao")
    await client.aclose()

    (request,) = seen
    assert request.url == "http://rasa.test/webhooks/bridge/webhook"
    assert request.headers["Authorization"] == "Bearer token-del-ponte"
    assert json.loads(request.content) == {"sender": "telegram:5", "message": "ciao"}
    assert replies == [BotMessage("Ecco", (Button("Sì", "~affirm.abc"),)), BotMessage("Seconda")]


async def test_items_without_anything_to_show_are_dropped_and_images_become_links() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            json=[
                {"recipient_id": "x"},
                {"recipient_id": "x", "text": "  "},
                {"recipient_id": "x", "image": "https://example.test/a.png"},
                {"recipient_id": "x", "buttons": [{"title": "Ok", "payload": "ok"}, {"title": "senza payload"}]},
                "non un oggetto",
            ],
        )

    client = _client(handler)
    replies = await client.send("x", "ciao")
    await client.aclose()

    assert replies == [BotMessage("https://example.test/a.png"), BotMessage("", (Button("Ok", "ok"),))]
    assert BUTTONS_ONLY_TEXT  # the sender puts this text above a buttons-only message


async def test_network_errors_and_bad_answers_become_the_failure_reply() -> None:
    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connessione rifiutata", request=request)

    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("troppo lento", request=request)

    answers = [
        unreachable,
        timeout,
        lambda r: httpx.Response(503, text="occupato"),
        lambda r: httpx.Response(200, text="<html>"),
        lambda r: httpx.Response(200, json={"text": "non una lista"}),
    ]
    for handler in answers:
        client = _client(handler)
        assert await client.send("x", "ciao") == [BotMessage(FAILURE_REPLY)]
        await client.aclose()
