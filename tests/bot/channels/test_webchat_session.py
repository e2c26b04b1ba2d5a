from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from bot.channels.webchat_session import (
    MAX_TOKEN_CHARS,
    SessionTokens,
    conversation_of,
    derive_key,
    sender_id,
)

SECRET = b"segreto-dei-pulsanti-di-prova"
TOKENS = SessionTokens(derive_key(SECRET))


def test_issued_tokens_verify_to_their_conversation() -> None:
    session = TOKENS.issue()
    assert session.resumed is False
    assert session.token.startswith(session.conversation_id + ".")
    assert TOKENS.verify(session.token) == session.conversation_id
    resumed = TOKENS.resume(session.token)
    assert resumed.resumed is True and resumed.conversation_id == session.conversation_id
    assert resumed.sender_id == f"web:{session.conversation_id}"


def test_conversation_ids_are_unguessable() -> None:
    ids = {TOKENS.issue().conversation_id for _ in range(1000)}
    assert len(ids) == 1000
    for conversation_id in list(ids)[:20]:
        raw = base64.urlsafe_b64decode(conversation_id + "=" * (-len(conversation_id) % 4))
        assert len(raw) * 8 >= 128


def _altered(token: str, position: int) -> str:
    replacement = "A" if token[position] != "A" else "B"
    return token[:position] + replacement + token[position + 1 :]


@pytest.mark.parametrize("position", [0, 5, 23, 25, 40, -2, -1])
def test_an_altered_token_is_refused(position: int) -> None:
    token = TOKENS.issue().token
    assert TOKENS.verify(_altered(token, position)) is None


@pytest.mark.parametrize(
    "token",
    [
        None,
        "",
        42,
        ["a"],
        "abcdefghijklmnopqrstuvwx",  # a bare conversation id chosen by the client
        "abcdefghijklmnopqrstuvwx.",
        "abcdefghijklmnopqrstuvwx." + "A" * 43,
        "x" * (MAX_TOKEN_CHARS + 1),
    ],
)
def test_tokens_the_server_did_not_issue_are_refused(token: object) -> None:
    assert TOKENS.verify(token) is None
    session = TOKENS.resume(token)
    assert session.resumed is False and session.token != token
    assert TOKENS.verify(session.token) == session.conversation_id


def test_a_token_signed_with_another_key_is_refused() -> None:
    other = SessionTokens(derive_key(b"un-altro-segreto-dei-pulsanti"))
    assert TOKENS.verify(other.issue().token) is None


def test_a_tag_made_with_the_button_secret_itself_is_refused() -> None:
    conversation_id = TOKENS.issue().conversation_id
    tag = base64.urlsafe_b64encode(hmac.new(SECRET, conversation_id.encode(), hashlib.sha256).digest())
    assert TOKENS.verify(f"{conversation_id}.{tag.decode().rstrip('=')}") is None


def test_the_session_key_is_separate_from_the_button_secret() -> None:
    key = derive_key(SECRET)
    assert key != SECRET and len(key) == 32
    assert key == hmac.new(SECRET, b"webchat-session", hashlib.sha256).digest()


def test_a_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="16 byte"):
        SessionTokens(b"corta")


def test_sender_ids_of_web_conversations() -> None:
    conversation_id = TOKENS.issue().conversation_id
    assert conversation_of(sender_id(conversation_id)) == conversation_id
    assert conversation_of(conversation_id) is None
    assert conversation_of("web:corto") is None
    assert conversation_of("tg:" + conversation_id) is None
