"""Web chat sessions: conversation ids issued by the server, resumed with a signed token.

Rasa's SocketIOInput lets the browser choose its session id, so whoever knows (or
guesses) an id can join that conversation. Here the server draws every conversation
id from `secrets` (144 bits) and gives the browser only a resume token, the id plus
an HMAC-SHA256 tag. A token the server did not issue (forged, altered, signed with
another key, or a bare id) never joins a conversation: the caller gets a new one.

The HMAC key is derived from the button secret with a label of its own, so no new
secret is needed and a button signature can never double as a session tag.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

SENDER_PREFIX = "web:"
_KEY_LABEL = b"webchat-session"
_ID_BYTES = 18  # 144 bits: unguessable, and 24 URL-safe characters without padding
_ID_RE = re.compile(r"^[A-Za-z0-9_-]{24}$")
_TOKEN_RE = re.compile(r"^(?P<id>[A-Za-z0-9_-]{24})\.(?P<tag>[A-Za-z0-9_-]{43})$")
MAX_TOKEN_CHARS = 128


def derive_key(button_secret: bytes) -> bytes:
    """The session key: HMAC(button secret, label), i.e. a separate key per purpose."""
    return hmac.new(button_secret, _KEY_LABEL, hashlib.sha256).digest()


def sender_id(conversation_id: str) -> str:
    """Rasa's sender id for a web chat conversation."""
    return SENDER_PREFIX + conversation_id


def conversation_of(sender: str) -> str | None:
    """The conversation id in a web chat sender id, or None if it is not one."""
    if not sender.startswith(SENDER_PREFIX):
        return None
    conversation_id = sender[len(SENDER_PREFIX) :]
    return conversation_id if _ID_RE.match(conversation_id) else None


@dataclass(frozen=True)
class Session:
    conversation_id: str
    token: str
    # False when the caller's token was missing or not ours: a new conversation.
    resumed: bool

    @property
    def sender_id(self) -> str:
        return sender_id(self.conversation_id)


class SessionTokens:
    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("la chiave delle sessioni web deve avere almeno 16 byte")
        self._key = key

    def _tag(self, conversation_id: str) -> str:
        digest = hmac.new(self._key, conversation_id.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def issue(self) -> Session:
        conversation_id = secrets.token_urlsafe(_ID_BYTES)
        return Session(conversation_id, f"{conversation_id}.{self._tag(conversation_id)}", resumed=False)

    def verify(self, token: object) -> str | None:
        """The conversation id of a token this server issued, else None."""
        if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
            return None
        match = _TOKEN_RE.match(token)
        if not match:
            return None
        expected = self._tag(match["id"])
        if not hmac.compare_digest(match["tag"].encode(), expected.encode()):
            return None
        return match["id"]

    def resume(self, token: object) -> Session:
        """The conversation of a valid token, otherwise a brand-new one."""
        conversation_id = self.verify(token)
        if conversation_id is None:
            return self.issue()
        assert isinstance(token, str)
        return Session(conversation_id, token, resumed=True)
