"""The bearer-token check of every internal route, in every process.

Compared in constant time, so the time of a refusal says nothing about how much of
the token was right; an empty expected token never matches (a misconfiguration must
lock the route, not open it).
"""

from __future__ import annotations

import hmac


def bearer_token(header: str | None) -> str:
    """The token of an `Authorization: Bearer <token>` header, or ""."""
    scheme, _, given = (header or "").partition(" ")
    return given.strip() if scheme.lower() == "bearer" else ""


def token_matches(given: str, expected: str) -> bool:
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def bearer_token_matches(header: str | None, expected: str) -> bool:
    return token_matches(bearer_token(header), expected)
