from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from bot.channels.webchat_session import (
    CLOCK_SKEW_S,
    DEFAULT_TTL_S,
    MAX_TOKEN_CHARS,
    SessionTokens,
    conversation_of,
    derive_key,
    sender_id,
)

SECRET = b"segreto-dei-pulsanti-di-prova"
TOKENS = SessionTokens(derive_key(SECRET))
HOUR = 3600
DAY = 24 * HOUR
TTL_S = 30 * DAY


class FakeClock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def tokens(clock: FakeClock) -> SessionTokens:
    return SessionTokens(derive_key(SECRET), ttl_s=TTL_S, clock=clock)


def _with_issued(token: str, issued: int) -> str:
    conversation_id, _, tag = token.split(".")
    return f"{conversation_id}.{issued}.{tag}"


def test_issued_tokens_verify_to_their_conversation(tokens: SessionTokens, clock: FakeClock) -> None:
    session = tokens.issue()
    assert session.resumed is False
    assert session.token.split(".")[:2] == [session.conversation_id, str(int(clock.now))]
    assert tokens.verify(session.token) == session.conversation_id
    resumed = tokens.resume(session.token)
    assert resumed.resumed is True and resumed.conversation_id == session.conversation_id
    assert resumed.sender_id == f"web:{session.conversation_id}"


def test_a_token_is_good_for_its_lifetime_and_no_longer(tokens: SessionTokens, clock: FakeClock) -> None:
    session = tokens.issue()
    clock.now += TTL_S
    assert tokens.verify(session.token) == session.conversation_id
    clock.now += 1
    assert tokens.verify(session.token) is None


def test_an_expired_token_starts_a_new_conversation(tokens: SessionTokens, clock: FakeClock) -> None:
    old = tokens.issue()
    clock.now += TTL_S + 1
    session = tokens.resume(old.token)
    assert session.resumed is False and session.conversation_id != old.conversation_id
    assert tokens.verify(session.token) == session.conversation_id


def test_the_default_lifetime_is_thirty_days(clock: FakeClock) -> None:
    tokens = SessionTokens(derive_key(SECRET), clock=clock)
    token = tokens.issue().token
    clock.now += DEFAULT_TTL_S
    assert DEFAULT_TTL_S == 30 * DAY and tokens.verify(token) is not None
    clock.now += 1
    assert tokens.verify(token) is None


@pytest.mark.parametrize("shift", [1, HOUR, TTL_S, -1])
def test_a_token_with_an_altered_issue_time_is_refused(tokens: SessionTokens, clock: FakeClock, shift: int) -> None:
    token = tokens.issue().token
    issued = int(token.split(".")[1])
    clock.now += TTL_S + 1  # expired: moving its time forward would revive it, if it were not signed
    assert tokens.verify(_with_issued(token, issued + shift)) is None
    clock.now = issued
    assert tokens.verify(_with_issued(token, issued + shift)) is None
    assert tokens.verify(token) is not None
    assert tokens.verify(token.replace(f".{issued}.", f".0{issued}.")) is None  # same number, other text


def test_resuming_rotates_the_token(tokens: SessionTokens, clock: FakeClock) -> None:
    first = tokens.issue()
    clock.now += 20 * DAY
    resumed = tokens.resume(first.token)
    assert resumed.resumed is True and resumed.conversation_id == first.conversation_id
    assert resumed.token != first.token and resumed.token.split(".")[1] == str(int(clock.now))
    assert tokens.verify(resumed.token) == first.conversation_id
    clock.now += 20 * DAY  # the first token has expired, the rotated one has not
    assert tokens.verify(first.token) is None
    assert tokens.resume(resumed.token).conversation_id == first.conversation_id


def test_a_user_who_keeps_coming_back_never_expires(tokens: SessionTokens, clock: FakeClock) -> None:
    session = tokens.issue()
    token = session.token
    for _ in range(20):  # a visit every 29 days, for more than a year and a half
        clock.now += 29 * DAY
        resumed = tokens.resume(token)
        assert resumed.resumed and resumed.conversation_id == session.conversation_id
        token = resumed.token


def test_a_token_from_the_future_is_accepted_only_within_the_clock_skew(
    tokens: SessionTokens, clock: FakeClock
) -> None:
    # Another server of the same deployment whose clock runs ahead.
    ahead = FakeClock(clock.now + CLOCK_SKEW_S)
    token = SessionTokens(derive_key(SECRET), ttl_s=TTL_S, clock=ahead).issue().token
    assert tokens.verify(token) is not None
    ahead.now += 1
    assert tokens.verify(SessionTokens(derive_key(SECRET), ttl_s=TTL_S, clock=ahead).issue().token) is None


def test_tokens_of_the_first_format_count_as_expired(tokens: SessionTokens) -> None:
    # Before tokens had an issue time: "<id>.<HMAC of the id>", never expiring.
    conversation_id = tokens.issue().conversation_id
    digest = hmac.new(derive_key(SECRET), conversation_id.encode(), hashlib.sha256).digest()
    old = f"{conversation_id}.{base64.urlsafe_b64encode(digest).decode().rstrip('=')}"
    assert tokens.verify(old) is None
    assert tokens.resume(old).conversation_id != conversation_id


@pytest.mark.parametrize("ttl_s", [0, -1])
def test_a_lifetime_must_be_positive(ttl_s: float) -> None:
    with pytest.raises(ValueError, match="positiva"):
        SessionTokens(derive_key(SECRET), ttl_s=ttl_s)


def test_tokens_are_only_made_for_conversation_ids(tokens: SessionTokens) -> None:
    with pytest.raises(ValueError):
        tokens.token_for("scelto-dal-client")


def test_conversation_ids_are_unguessable() -> None:
    ids = {TOKENS.issue().conversation_id for _ in range(1000)}
    assert len(ids) == 1000
    for conversation_id in list(ids)[:20]:
        raw = base64.urlsafe_b64decode(conversation_id + "=" * (-len(conversation_id) % 4))
        assert len(raw) * 8 >= 128


def _altered(token: str, position: int) -> str:
    replacement = "A" if token[position] != "A" else "B"
    return token[:position] + replacement + token[position + 1 :]


@pytest.mark.parametrize("position", [0, 5, 23, 25, 30, 40, 60, -2, -1])
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
        "abcdefghijklmnopqrstuvwx.1800000000." + "A" * 43,
        "abcdefghijklmnopqrstuvwx.-5." + "A" * 43,
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
    conversation_id, issued, _ = TOKENS.issue().token.split(".")
    signed = f"{conversation_id}.{issued}".encode()
    tag = base64.urlsafe_b64encode(hmac.new(SECRET, signed, hashlib.sha256).digest())
    assert TOKENS.verify(f"{conversation_id}.{issued}.{tag.decode().rstrip('=')}") is None


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
