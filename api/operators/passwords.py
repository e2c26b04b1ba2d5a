"""Password hashing: Argon2id through argon2-cffi, with its default (RFC 9106) parameters.

A hash carries its own parameters, so raising them later only needs `needs_rehash` at
the next login. Verification of an unknown login runs against a dummy hash, so the time
of an answer does not tell which logins exist.
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
MAX_LENGTH = 256  # Argon2 takes anything; a cap keeps a megabyte "password" from costing CPU

# A module attribute so that the tests can swap in cheap parameters.
HASHER = PasswordHasher()
_DUMMY_HASH: str | None = None


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return HASHER.check_needs_rehash(password_hash)


def waste_time(password: str) -> None:
    """Verify against a dummy hash: an unknown login costs what a wrong password does."""
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))
    verify_password(_DUMMY_HASH, password)


def password_problem(password: str, *, username: str = "") -> str | None:
    """What is wrong with a new password, in Italian; None when it is acceptable.

    Length over composition rules (NIST SP 800-63B): long passphrases are welcome.
    """
    if len(password) < MIN_LENGTH:
        return f"La password deve avere almeno {MIN_LENGTH} caratteri."
    if len(password) > MAX_LENGTH:
        return f"La password può avere al massimo {MAX_LENGTH} caratteri."
    if not password.strip():
        return "La password non può essere fatta solo di spazi."
    if username and username.lower() in password.lower():
        return "La password non deve contenere il nome utente."
    return None


def temporary_password() -> str:
    """A random password for a reset, readable aloud (no 0/O, 1/l): 16 characters, ~90 bits."""
    alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(16))
