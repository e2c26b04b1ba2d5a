"""Web chat sessions: conversation ids issued by the server, resumed with a signed token.

Rasa's SocketIOInput lets the browser choose its session id, so whoever knows (or
guesses) an id can join that conversation. Here the server draws every conversation
id from `secrets` (144 bits) and gives the browser only a resume token: the id, the
time the token was issued and an HMAC-SHA256 tag over both. A token the server did not
issue (forged, altered, signed with another key, or a bare id) never joins a
conversation, and neither does one older than its lifetime (a token copied off a
shared computer stops working): the caller gets a new, empty conversation.

Every successful resume hands out a fresh token for the same conversation (rotation),
so a user who keeps coming back never reaches the lifetime. Tokens are not stored on
the server: an older token of the same conversation stays valid until it expires.
Tokens of the first format (no issue time) count as expired.

The HMAC key is derived from the button secret with a label of its own, so no new
secret is needed and a button signature can never double as a session tag.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

SENDER_PREFIX = "web:"
_KEY_LABEL = b"webchat-session"
_ID_BYTES = 18  # 144 bits: unguessable, and 24 URL-safe characters without padding
_ID_RE = re.compile(r"^[A-Za-z0-9_-]{24}$")
_TOKEN_RE = re.compile(r"^(?P<id>[A-Za-z0-9_-]{24})\.(?P<issued>[0-9]{1,12})\.(?P<tag>[A-Za-z0-9_-]{43})$")
MAX_TOKEN_CHARS = 128
DEFAULT_TTL_S = 720 * 3600
# Several Rasa servers behind one address may disagree on the time by a little: a
# token "issued" this far in the future is still accepted, anything further is not.
CLOCK_SKEW_S = 300


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
    def __init__(self, key: bytes, ttl_s: float = DEFAULT_TTL_S, clock: Callable[[], float] | None = None) -> None:
        if len(key) < 16:
            raise ValueError("la chiave delle sessioni web deve avere almeno 16 byte")
        if ttl_s <= 0:
            raise ValueError("la durata dei token della chat web deve essere positiva")
        self._key = key
        self._ttl_s = ttl_s
        self._clock = clock

    def _now(self) -> float:
        # time.time looked up at each call: tests may replace this module's clock.
        return self._clock() if self._clock is not None else time.time()

    def _tag(self, conversation_id: str, issued: str) -> str:
        # The issue time is inside the MAC: moving it forward breaks the tag.
        digest = hmac.new(self._key, f"{conversation_id}.{issued}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def token_for(self, conversation_id: str) -> str:
        """A token for this conversation, issued now."""
        if not _ID_RE.match(conversation_id):
            raise ValueError("non è un identificativo di conversazione della chat web")
        issued = str(int(self._now()))
        return f"{conversation_id}.{issued}.{self._tag(conversation_id, issued)}"

    def issue(self) -> Session:
        conversation_id = secrets.token_urlsafe(_ID_BYTES)
        return Session(conversation_id, self.token_for(conversation_id), resumed=False)

    def verify(self, token: object) -> str | None:
        """The conversation id of an unexpired token this server issued, else None."""
        if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
            return None
        match = _TOKEN_RE.match(token)
        if not match:
            return None
        expected = self._tag(match["id"], match["issued"])
        if not hmac.compare_digest(match["tag"].encode(), expected.encode()):
            return None
        age = self._now() - int(match["issued"])
        if not -CLOCK_SKEW_S <= age <= self._ttl_s:
            return None
        return match["id"]

    def resume(self, token: object) -> Session:
        """The conversation of a valid token with a fresh token for it, otherwise a brand-new one."""
        conversation_id = self.verify(token)
        if conversation_id is None:
            return self.issue()
        return Session(conversation_id, self.token_for(conversation_id), resumed=True)
