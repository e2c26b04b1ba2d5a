from __future__ import annotations

import pytest

from bot.channels.guard import EMPTY_REPLY, NO_TEXT_REPLY, NOT_TEXT_REPLY, screen
from sportello.payloads import PayloadSigner

SIGNER = PayloadSigner(b"chiave-di-prova-lunga-abbastanza")


def _screen(raw: object, sender: str = "u") -> tuple[str | None, str | None]:
    result = screen(raw, sender, SIGNER, max_chars=100)
    return result.text, result.reply


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("/greet", "greet"),
        ('/faq_select{"faq_topic":"buoni_pasto"}', 'faq_select{"faq_topic":"buoni_pasto"}'),
        ("  //human_handoff", "human_handoff"),
        ("/ / restart", "restart"),
        ("\\/greet", "greet"),
    ],
)
def test_typed_slash_commands_never_reach_rasa_as_intents(typed: str, expected: str) -> None:
    text, reply = _screen(typed)
    assert reply is None and text == expected
    assert not text.lstrip().startswith("/")


def test_signed_button_token_becomes_the_payload_again() -> None:
    token = SIGNER.sign('/faq_select{"faq_topic":"buoni_pasto"}', "u")
    assert _screen(token) == ('/faq_select{"faq_topic":"buoni_pasto"}', None)
    text, reply = _screen(token, sender="altro-utente")
    assert reply is None and text == token  # treated as plain text, never as an intent


@pytest.mark.parametrize("raw", ["", "   ", "\n\t", "\x00\x01", "\u200b\u200e"])
def test_empty_messages_get_a_reply(raw: str) -> None:
    assert _screen(raw) == (None, EMPTY_REPLY)


@pytest.mark.parametrize("raw", ["👍👍", "😀", "?!...", "🇮🇹 ❤️", "/"])
def test_messages_without_words_get_a_reply(raw: str) -> None:
    assert _screen(raw) == (None, NO_TEXT_REPLY)


def test_too_long_messages_are_refused_with_the_limit() -> None:
    text, reply = _screen("a" * 101)
    assert text is None and reply is not None and "100 caratteri" in reply
    text, reply = _screen("a" * 10_000_000)
    assert text is None and reply is not None and "troppo lungo" in reply
    assert _screen("a" * 100) == ("a" * 100, None)


@pytest.mark.parametrize("raw", [None, 42, ["ciao"], {"text": "ciao"}, b"ciao"])
def test_non_text_payloads_get_a_reply(raw: object) -> None:
    assert _screen(raw) == (None, NOT_TEXT_REPLY)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("مرحبا، ما هو الرفاه؟", "مرحبا، ما هو الرفاه؟"),
        ("buoni\x00 pasto\x07", "buoni pasto"),
        ("perche\u0301 il welfare", "perché il welfare"),
        ("welfare 🙂", "welfare 🙂"),
    ],
)
def test_real_text_is_cleaned_and_passed_on(raw: str, expected: str) -> None:
    assert _screen(raw) == (expected, None)
