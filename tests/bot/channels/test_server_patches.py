from __future__ import annotations

from typing import Any

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from bot.channels import server_patches


@pytest.fixture
def action() -> RemoteAction:
    server_patches.apply()
    server_patches.apply()  # idempotent
    return RemoteAction("action_answer_faq", EndpointConfig("http://127.0.0.1:1/webhook"))


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
