"""The Rasa patch: applied only on the version it was written for, in use once applied,
and still refusing an invalid action-server reply."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.channels import server_patches
from tests.ports import free_port


@pytest.fixture
def action() -> RemoteAction:
    server_patches.apply()
    server_patches.apply()  # idempotent
    return RemoteAction("action_answer_faq", EndpointConfig("http://127.0.0.1:1/webhook"))


def test_the_patched_validator_is_the_one_rasa_uses(action: RemoteAction) -> None:
    assert RemoteAction._validate_action_result is server_patches._validate_action_result
    assert action._validate_action_result.__func__ is server_patches._validate_action_result  # type: ignore[attr-defined]


def test_another_rasa_version_is_refused_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server_patches, "_applied", False)
    original = RemoteAction._validate_action_result
    with pytest.raises(server_patches.UnsupportedRasaVersion, match=r"3\.7\.0"):
        server_patches.apply("3.7.0")
    assert RemoteAction._validate_action_result is original


def test_a_valid_action_server_reply_passes(action: RemoteAction) -> None:
    reply: dict[str, Any] = {
        "events": [{"event": "slot", "name": "last_faq_topic", "value": "buoni_pasto"}],
        "responses": [{"text": "Risposta"}],
    }
    assert action._validate_action_result(reply) is True


@pytest.mark.parametrize(
    "reply",
    [{"events": "non una lista"}, {"events": [{"event": "slot", "timestamp": "ieri"}]}, {"responses": [1]}],
)
def test_an_invalid_reply_is_still_refused(action: RemoteAction, reply: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result(reply)


@pytest.fixture
async def action_server() -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    """An action server stand-in that answers with whatever reply the test puts in the list."""
    replies: list[dict[str, Any]] = []

    async def webhook(_: web.Request) -> web.Response:
        return web.json_response(replies[-1])

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}/webhook", replies
    finally:
        await runner.cleanup()


async def test_a_running_action_goes_through_the_patched_validator(
    action_server: tuple[str, list[dict[str, Any]]],
) -> None:
    server_patches.apply()
    url, replies = action_server
    action = RemoteAction("action_answer_faq", EndpointConfig(url))
    domain = Domain.empty()
    tracker = DialogueStateTracker("conversazione", [])
    nlg = TemplatedNaturalLanguageGenerator({})
    before = server_patches._action_result_validator.cache_info()

    replies.append({"events": [{"event": "slot", "name": "x", "value": 1, "timestamp": None}], "responses": []})
    events = await action.run(CollectingOutputChannel(), nlg, tracker, domain)
    assert [e.as_dict()["event"] for e in events] == ["slot"]

    replies.append({"events": [{"event": "slot", "timestamp": "ieri"}]})
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        await action.run(CollectingOutputChannel(), nlg, tracker, domain)
    after = server_patches._action_result_validator.cache_info()
    assert after.hits + after.misses - before.hits - before.misses == 2
