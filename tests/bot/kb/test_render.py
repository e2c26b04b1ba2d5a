from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.kb.loader import load_files
from bot.kb.render import NEUTRAL_CONTACT, mentions_contacts, render_answer, response_key, topic_id_from_key
from tests.bot.conftest import topic_dict


def test_contacts_come_from_the_caller_or_a_neutral_text(write_kb: Callable[..., Path]) -> None:
    answer = "Lo Sportello risponde (art. 51 TUIR).\n\nPer parlare con una persona: {contatti}"
    kb = load_files([write_kb("01_a.yml", [topic_dict("sportello", answer=answer), topic_dict("altro")])])
    topic = kb.get("sportello")
    assert topic is not None and mentions_contacts(topic)
    assert "Per parlare con una persona: tel. 011 000000\n\n📚 Riferimenti" in render_answer(topic, "tel. 011 000000")
    assert f"Per parlare con una persona: {NEUTRAL_CONTACT}" in render_answer(topic)
    assert "{contatti}" not in render_answer(topic)
    other = kb.get("altro")
    assert other is not None and not mentions_contacts(other)


def test_response_keys_round_trip() -> None:
    assert topic_id_from_key(response_key("buoni_pasto")) == "buoni_pasto"
    assert topic_id_from_key("greet") is None
