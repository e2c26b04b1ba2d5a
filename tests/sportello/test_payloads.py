from __future__ import annotations

import pytest

from sportello.payloads import PayloadSigner

SIGNER = PayloadSigner(b"chiave-di-prova-lunga-abbastanza")


@pytest.mark.parametrize(
    "payload",
    ["/feedback_positive", "/human_handoff", '/faq_select{"faq_topic":"pdr_conversione_welfare"}'],
)
def test_signed_payload_round_trips_for_the_same_conversation(payload: str) -> None:
    token = SIGNER.sign(payload, "utente-1")
    assert token.startswith("~") and "/" not in token
    assert SIGNER.verify(token, "utente-1") == payload


def test_token_from_another_conversation_is_rejected() -> None:
    token = SIGNER.sign("/human_handoff", "utente-1")
    assert SIGNER.verify(token, "utente-2") is None


def test_forged_or_altered_tokens_are_rejected() -> None:
    token = SIGNER.sign('/faq_select{"faq_topic":"buoni_pasto"}', "u")
    assert SIGNER.verify(token.replace("buoni_pasto", "babysitting"), "u") is None
    assert SIGNER.verify("~human_handoff.AAAAAAAAAAAA", "u") is None
    assert SIGNER.verify("~human_handoff", "u") is None
    assert SIGNER.verify(token, "u") is not None


def test_other_keys_do_not_verify() -> None:
    token = SIGNER.sign("/human_handoff", "u")
    assert PayloadSigner(b"un-altra-chiave-lunga-abbastanza").verify(token, "u") is None


@pytest.mark.parametrize("payload", ["https://example.org", "testo libero", '/x{"a":"1","b":"2"}', '/x{"a": 3}'])
def test_payloads_that_are_not_simple_intents_pass_unchanged(payload: str) -> None:
    assert SIGNER.sign(payload, "u") == payload


def test_short_keys_are_refused() -> None:
    with pytest.raises(ValueError):
        PayloadSigner(b"corta")
