"""Signed button payloads.

Rasa turns any message that starts with "/" into an intent (RegexMessageHandler),
bypassing the NLU. Users must not be able to do that, but buttons need it. So
the bot's button payloads leave the server as tokens signed for the one
conversation they were offered in, and only a valid token becomes an intent
again on the way in. Tokens are short enough for Telegram's 64-byte callback data.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re

TOKEN_PREFIX = "~"
_MAC_CHARS = 12
_PAYLOAD_RE = re.compile(r"^/(?P<intent>[a-z_]{1,40})(?P<entities>\{.*\})?$")
_TOKEN_RE = re.compile(
    r"^~(?P<intent>[a-z_]{1,40})(?::(?P<entity>[a-z_]{1,32})=(?P<value>[A-Za-z0-9_-]{1,40}))?"
    rf"\.(?P<mac>[A-Za-z0-9_-]{{{_MAC_CHARS}}})$"
)


def _parse_payload(payload: str) -> tuple[str, str | None, str | None] | None:
    match = _PAYLOAD_RE.match(payload)
    if not match:
        return None
    intent, raw_entities = match["intent"], match["entities"]
    if raw_entities is None:
        return intent, None, None
    try:
        entities = json.loads(raw_entities)
    except json.JSONDecodeError:
        return None
    if not isinstance(entities, dict) or len(entities) != 1:
        return None
    ((entity, value),) = entities.items()
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", value):
        return None
    if not re.fullmatch(r"[a-z_]{1,32}", entity):
        return None
    return intent, entity, value


class PayloadSigner:
    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("la chiave per firmare i pulsanti deve avere almeno 16 byte")
        self._key = key

    def _mac(self, sender_id: str, intent: str, entity: str | None, value: str | None) -> str:
        message = "\x1f".join([sender_id, intent, entity or "", value or ""]).encode()
        digest = hmac.new(self._key, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode()[:_MAC_CHARS]

    def sign(self, payload: str, sender_id: str) -> str:
        """Token for a Rasa payload; payloads that are not intents pass unchanged."""
        parsed = _parse_payload(payload)
        if parsed is None:
            return payload
        intent, entity, value = parsed
        body = intent if entity is None else f"{intent}:{entity}={value}"
        return f"{TOKEN_PREFIX}{body}.{self._mac(sender_id, intent, entity, value)}"

    def verify(self, token: str, sender_id: str) -> str | None:
        """The original payload for a valid token of this conversation, else None."""
        match = _TOKEN_RE.match(token)
        if not match:
            return None
        intent, entity, value = match["intent"], match["entity"], match["value"]
        if not hmac.compare_digest(match["mac"], self._mac(sender_id, intent, entity, value)):
            return None
        if entity is None:
            return f"/{intent}"
        return f"/{intent}" + json.dumps({entity: value}, separators=(",", ":"))
