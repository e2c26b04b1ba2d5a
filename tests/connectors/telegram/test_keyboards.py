"""Buttons → inline keyboard: callback data unchanged, links as URL buttons."""

from __future__ import annotations

import json

from bot.kb.loader import load_knowledge_base
from connectors.telegram.keyboards import fits_callback_data, inline_keyboard
from connectors.telegram.messages import Button
from sportello.payloads import PayloadSigner


def test_signed_tokens_become_callback_data_unchanged_and_links_url_buttons() -> None:
    signer = PayloadSigner(b"chiave-di-prova-abbastanza-lunga")
    token = signer.sign('/faq_select{"faq_topic":"premio_risultato_detassazione"}', "telegram:-1001234567890")
    assert len(token.encode()) <= 64

    keyboard = inline_keyboard(
        [Button("Premio di risultato", token), Button("Guida", "https://example.test/guida"), Button("Altro", "altro")]
    )

    assert keyboard is not None
    rows = keyboard.to_dict()["inline_keyboard"]
    assert rows == [
        [{"text": "Premio di risultato", "callback_data": token}],
        [{"text": "Guida", "url": "https://example.test/guida"}],
        [{"text": "Altro", "callback_data": "altro"}],
    ]


def test_a_payload_over_64_bytes_is_left_out_instead_of_breaking_the_message() -> None:
    keyboard = inline_keyboard([Button("Troppo lungo", "è" * 33), Button("Ok", "ok")])

    assert keyboard is not None
    assert keyboard.to_dict()["inline_keyboard"] == [[{"text": "Ok", "callback_data": "ok"}]]


def test_no_buttons_no_keyboard() -> None:
    assert inline_keyboard([]) is None
    assert inline_keyboard([Button("x", "y" * 65)]) is None


def test_every_topic_suggestion_button_fits_in_telegram_callback_data() -> None:
    # The REST channel signs "/faq_select{...}" per topic; Telegram refuses callback data over 64 bytes.
    signer = PayloadSigner(b"chiave-di-prova-abbastanza-lunga")
    for topic in load_knowledge_base().topics:
        payload = "/faq_select" + json.dumps({"faq_topic": topic.id}, separators=(",", ":"))
        token = signer.sign(payload, "telegram:-1001234567890")
        assert token.startswith("~") and fits_callback_data(token), (topic.id, len(token.encode()))
