from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.decision import DecisionRule
from bot.actions.faq import ActionAnswerFaq, ActionAnswerSelectedFaq, ActionSuggestTopics
from bot.kb.loader import load_files
from sportello.payloads import PayloadSigner
from tests.bot.actions.conftest import ranking
from tests.bot.conftest import topic_dict


def _payloads(message: dict[str, Any]) -> list[str]:
    return [b["payload"] for b in message.get("buttons", [])]


async def test_a_low_confidence_topic_confirmed_by_the_nearest_question_is_answered(
    make_tracker: Callable[..., Tracker], dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    selector = ranking(("fringe_soglie", 0.35), ("buoni_pasto", 0.3), ("babysitting", 0.2))
    text = "domanda numero 3 su fringe soglie"
    await ActionAnswerFaq().run(dispatcher, make_tracker(text=text, confidence=1.0, selector=selector), domain)
    assert dispatcher.messages[0]["text"].startswith("Risposta breve su fringe_soglie")
    # The same turn with an intent less sure of being a FAQ question: proposals.
    dispatcher.messages.clear()
    await ActionAnswerFaq().run(dispatcher, make_tracker(text=text, confidence=0.95, selector=selector), domain)
    assert dispatcher.messages[0]["text"].startswith("Non sono sicuro")


async def test_confident_answer_has_references_feedback_buttons_and_remembers_the_topic(
    make_tracker: Callable[..., Tracker], dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    tracker = make_tracker(text="buoni pasto?", selector=ranking(("buoni_pasto", 0.93), ("fringe_soglie", 0.02)))
    events = await ActionAnswerFaq().run(dispatcher, tracker, domain)
    (message,) = dispatcher.messages
    assert message["text"].startswith("Risposta breve su buoni_pasto")
    assert "📚 Riferimenti: art. 51 TUIR" in message["text"]
    assert _payloads(message) == ["/feedback_positive", "/feedback_negative"]
    slots = {e["name"]: e["value"] for e in events}
    assert slots == {
        "last_faq_topic": "buoni_pasto",
        "last_faq_confidence": 0.93,
        "last_faq_question": "buoni pasto?",
        "last_answered_topic": "buoni_pasto",
        "misses": 0,
    }


async def test_uncertain_law_offers_an_operator_next_to_the_answer(
    make_tracker: Callable[..., Tracker], dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    await ActionAnswerFaq().run(dispatcher, make_tracker(selector=ranking(("babysitting", 0.9))), domain)
    assert "/human_handoff" in _payloads(dispatcher.messages[0])


async def test_low_confidence_topic_is_not_answered_but_proposed_with_other_and_operator(
    make_tracker: Callable[..., Tracker],
    dispatcher: CollectingDispatcher,
    domain: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # No clear lead, no siblings, and the nearest training question disagrees.
    similarity = {"buoni_pasto": 0.31, "fringe_soglie": 0.3, "babysitting": 0.3}
    monkeypatch.setattr("bot.actions.faq.topic_scores", lambda kb, text: similarity)
    selector = ranking(("fringe_soglie", 0.35), ("buoni_pasto", 0.3), ("babysitting", 0.2))
    events = await ActionAnswerFaq().run(dispatcher, make_tracker(text="soglie?", selector=selector), domain)
    (message,) = dispatcher.messages
    assert "Forse cercavi" in message["text"]
    titles = [b["title"] for b in message["buttons"]]
    assert titles == ["Soglie dei fringe benefit", "Buoni pasto", "Baby-sitting", "Altro", "Parla con un operatore"]
    assert _payloads(message)[0] == '/faq_select{"faq_topic":"fringe_soglie"}'
    assert {e["name"]: e["value"] for e in events} == {
        "last_faq_topic": None,
        "last_faq_question": "soglie?",
        "last_suggestions": ["fringe_soglie", "buoni_pasto", "babysitting"],
    }


async def test_every_suggestion_payload_can_be_signed_for_telegram(
    make_tracker: Callable[..., Tracker], dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    selector = ranking(("fringe_soglie", 0.35), ("buoni_pasto", 0.3))
    await ActionAnswerFaq().run(dispatcher, make_tracker(selector=selector), domain)
    signer = PayloadSigner(b"k" * 32)
    for payload in _payloads(dispatcher.messages[0]):
        token = signer.sign(payload, "telegram:123456789")
        assert token.startswith("~") and len(token.encode()) <= 64


async def test_nothing_plausible_gets_the_default_reply(
    make_tracker: Callable[..., Tracker], dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    await ActionAnswerFaq().run(dispatcher, make_tracker(selector=ranking(("buoni_pasto", 0.01))), domain)
    assert dispatcher.messages[0]["response"] == "utter_default"


async def test_fallback_never_answers_even_a_confident_topic(
    make_tracker: Callable[..., Tracker], dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    tracker = make_tracker(intent="nlu_fallback", selector=ranking(("buoni_pasto", 0.97)))
    await ActionSuggestTopics().run(dispatcher, tracker, domain)
    (message,) = dispatcher.messages
    assert "Forse cercavi" in message["text"]
    assert _payloads(message)[0] == '/faq_select{"faq_topic":"buoni_pasto"}'


@pytest.mark.parametrize("entity", [None, "argomento_inesistente"])
async def test_selecting_a_missing_or_unknown_topic_asks_to_rephrase(
    make_tracker: Callable[..., Tracker], dispatcher: CollectingDispatcher, domain: dict[str, Any], entity: str | None
) -> None:
    entities = [{"entity": "faq_topic", "value": entity}] if entity else []
    events = await ActionAnswerSelectedFaq().run(
        dispatcher, make_tracker(intent="faq_select", entities=entities), domain
    )
    assert dispatcher.messages[0]["response"] == "utter_rephrase"
    assert events == []


async def test_selecting_a_topic_answers_it_for_the_original_question(
    make_tracker: Callable[..., Tracker], dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    tracker = make_tracker(
        intent="faq_select",
        entities=[{"entity": "faq_topic", "value": "fringe_soglie"}],
        slots={"last_faq_question": "soglie?"},
    )
    events = await ActionAnswerSelectedFaq().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0]["text"].startswith("Risposta breve su fringe_soglie")
    slots = {e["name"]: e["value"] for e in events}
    assert slots == {
        "last_faq_topic": "fringe_soglie",
        "last_faq_confidence": None,
        "last_faq_question": "soglie?",
        "last_answered_topic": "fringe_soglie",
        "misses": 0,
    }


@pytest.mark.parametrize(("typed", "expected"), [("il secondo", "buoni_pasto"), ("l'ultimo", "babysitting")])
async def test_a_typed_ordinal_picks_among_the_topics_just_proposed(
    make_tracker: Callable[..., Tracker],
    dispatcher: CollectingDispatcher,
    domain: dict[str, Any],
    typed: str,
    expected: str,
) -> None:
    tracker = make_tracker(
        text=typed,
        intent="faq_select",
        slots={"last_suggestions": ["fringe_soglie", "buoni_pasto", "babysitting"], "last_faq_question": "soglie?"},
    )
    events = await ActionAnswerSelectedFaq().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0]["text"].startswith(f"Risposta breve su {expected}")
    assert {e["name"]: e["value"] for e in events}["last_faq_topic"] == expected


async def test_a_typed_ordinal_without_proposals_asks_to_rephrase(
    make_tracker: Callable[..., Tracker], dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    await ActionAnswerSelectedFaq().run(dispatcher, make_tracker(text="il primo", intent="faq_select"), domain)
    assert dispatcher.messages[0]["response"] == "utter_rephrase"


def test_every_response_the_actions_use_exists_in_the_domain(domain: dict[str, Any]) -> None:
    for name in (
        "utter_default",
        "utter_rephrase",
        "utter_feedback_no_answer",
        "utter_feedback_thanks_positive",
        "utter_handoff_declined",
    ):
        assert name in domain["responses"]


async def test_contacts_in_an_answer_come_from_configuration_with_an_operator_button(
    make_tracker: Callable[..., Tracker],
    dispatcher: CollectingDispatcher,
    domain: dict[str, Any],
    write_kb: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answer = "Lo Sportello risponde sul welfare (art. 51 TUIR).\n\nPer parlare con una persona: {contatti}"
    kb = load_files([write_kb("09_s.yml", [topic_dict("sportello", answer=answer)])])
    monkeypatch.setattr("bot.actions.faq.get_catalog", lambda: kb)
    monkeypatch.setenv("SPORTELLO_CONTACT_INFO", "telefona allo 011 1234567 (lun-ven 9-13).")
    await ActionAnswerFaq().run(dispatcher, make_tracker(selector=ranking(("sportello", 0.9))), domain)
    (message,) = dispatcher.messages
    assert "Per parlare con una persona: telefona allo 011 1234567 (lun-ven 9-13)." in message["text"]
    assert "{contatti}" not in message["text"]
    assert "/human_handoff" in _payloads(message)


@pytest.fixture
def family_kb(write_kb: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> Any:
    topics = [
        topic_dict(
            f"soglie_{years[:4]}",
            title=f"Soglie {years}",
            family="fringe",
            years=years,
            questions=[f"soglie {years} domanda {i}" for i in range(12)],
        )
        for years in ("2025-2027", "2020-2024")
    ]
    kb = load_files([write_kb("01_f.yml", [*topics, topic_dict("tfr", questions=[f"tfr {i}" for i in range(12)])])])
    monkeypatch.setattr("bot.actions.faq.get_catalog", lambda: kb)
    rule = DecisionRule(family_answer=0.6, family_floor=0.3, year_routing=True, followups=True)
    monkeypatch.setattr("bot.actions.faq.DEFAULT_RULE", rule)
    return kb


async def test_siblings_in_the_lead_are_answered_with_see_also_buttons(
    family_kb: Any, make_tracker: Callable[..., Tracker], dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    selector = ranking(("soglie_2025", 0.4), ("soglie_2020", 0.3), ("tfr", 0.1))
    events = await ActionAnswerFaq().run(dispatcher, make_tracker(text="soglie fringe?", selector=selector), domain)
    (message,) = dispatcher.messages
    assert message["text"].startswith("Risposta breve su soglie_2025")
    see_also = [b for b in message["buttons"] if b["title"].startswith("Vedi anche")]
    assert see_also == [{"title": "Vedi anche: Soglie 2020-2024", "payload": '/faq_select{"faq_topic":"soglie_2020"}'}]
    assert {e["name"]: e["value"] for e in events}["last_answered_topic"] == "soglie_2025"


async def test_a_follow_up_is_answered_in_the_context_of_the_last_topic(
    family_kb: Any, make_tracker: Callable[..., Tracker], dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    tracker = make_tracker(
        text="e nel 2023?",
        intent="faq_followup",
        selector=ranking(("tfr", 0.2), ("soglie_2025", 0.05)),
        slots={"last_answered_topic": "soglie_2025"},
    )
    await ActionAnswerFaq().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0]["text"].startswith("Risposta breve su soglie_2020")


async def test_an_unsure_follow_up_is_still_read_in_context(
    family_kb: Any, make_tracker: Callable[..., Tracker], dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    tracker = make_tracker(
        text="e per il 2026?",
        intent="nlu_fallback",
        selector=ranking(("tfr", 0.3)),
        slots={"last_answered_topic": "soglie_2020"},
    )
    await ActionSuggestTopics().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0]["text"].startswith("Risposta breve su soglie_2025")


async def test_not_understood_twice_in_a_row_offers_a_person(
    make_tracker: Callable[..., Tracker], dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    first = await ActionSuggestTopics().run(dispatcher, make_tracker(text="blablà", intent="nlu_fallback"), domain)
    assert dispatcher.messages[-1]["response"] == "utter_default"
    misses = {e["name"]: e["value"] for e in first}["misses"]
    assert misses == 1
    tracker = make_tracker(text="ancora blablà", intent="nlu_fallback", slots={"misses": misses})
    second = await ActionSuggestTopics().run(dispatcher, tracker, domain)
    assert "Vuoi che giri la tua domanda" in dispatcher.messages[-1]["text"]
    assert {e["name"]: e["value"] for e in second}["pending_offer"] == "handoff"
