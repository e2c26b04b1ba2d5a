"""Pseudonymous conversation ids: HMAC-SHA256 with a key kept outside the database.

The monitoring tables never hold a conversation id. Whoever reads the database alone
cannot tell whose conversation a row is; the API, which has the key, can still find
one user's rows when asked to erase them (the id is hashed again and looked up).
"""

from __future__ import annotations

import hashlib
import hmac


def pseudonym(key: str, conversation_id: str) -> str:
    return hmac.new(key.encode(), conversation_id.encode(), hashlib.sha256).hexdigest()


def event_key(pseudonym_: str, message_id: str) -> str:
    """The identity of one user message, to store it once however often it arrives."""
    return hashlib.sha256(f"{pseudonym_}\x1f{message_id}".encode()).hexdigest()
