"""The escalation actions as Rasa runs them: offer, start, form turns, submit, status look-up."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.escalation.fields import CONSENT, CONTACT, DESCRIPTION, NAME
from bot.actions.escalation.form import AskConsent, AskContact, AskRole, ValidateEscalationForm
from bot.actions.escalation.start import ActionAnswerOffer, ActionFaqNone, ActionStartEscalation
from bot.actions.escalation.status import NOT_FOUND, ActionTicketStatus, ticket_number
from bot.actions.escalation.submit import CANCELLED_TEXT, QUEUED_TEXT, ActionSubmitEscalation, get_outbox
from tests.bot.actions.fake_api import FakeApi

Make = Callable[..., Tracker]
COMPLETE = {
    "contact_name": "Maria Rossi",
    "contact": "maria@esempio.it",
    "role": "socio",
    "company": "-",
    "description": "Vorrei sapere se posso convertire il premio in welfare",
    "consent": "2026-11-30T10:00:00+00:00",
}


def slots_of(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def test_asking_for_a_person_starts_the_form_with_the_failed_question(
    api: FakeApi, tracker: Make, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    events = await ActionStartEscalation().run(
        dispatcher,
        tracker("voglio un operatore", "human_handoff", slots={"last_faq_question": "pdr in welfare?"}),
        domain,
    )
    assert "annulla" in dispatcher.messages[0]["text"]
    assert slots_of(events)["escalation_draft"] == "pdr in welfare?"
    assert events[-1] == {"event": "followup", "timestamp": None, "name": "escalation_form"}


async def test_a_second_escalation_links_to_the_open_ticket(
    api: FakeApi, tracker: Make, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    sender = "telegram:42"
    api.tickets["k"] = api.ticket("SW-2026-000007", sender)
    events = await ActionStartEscalation().run(dispatcher, tracker("operatore", "human_handoff", sender), domain)
    assert "SW-2026-000007" in dispatcher.messages[0]["text"]
    assert not any(e.get("event") == "followup" for e in events)


async def test_a_typed_yes_accepts_a_pending_offer_only(
    tracker: Make, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    accepted = await ActionAnswerOffer().run(
        dispatcher, tracker("sì", "affirm", slots={"pending_offer": "handoff"}), domain
    )
    assert accepted[-1]["name"] == "action_start_escalation"
    nothing = await ActionAnswerOffer().run(dispatcher, tracker("sì", "affirm"), domain)
    assert not any(e.get("event") == "followup" for e in nothing)
    declined = CollectingDispatcher()
    await ActionAnswerOffer().run(declined, tracker("no", "deny", slots={"pending_offer": "handoff"}), domain)
    assert declined.messages[0]["response"] == "utter_handoff_declined"


async def test_two_misses_in_a_row_bring_the_offer_of_a_person(
    tracker: Make, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    first = await ActionFaqNone().run(dispatcher, tracker("/faq_none", "faq_none"), domain)
    assert dispatcher.messages[-1]["response"] == "utter_rephrase" and slots_of(first)["misses"] == 1
    second = await ActionFaqNone().run(dispatcher, tracker("/faq_none", "faq_none", slots={"misses": 1}), domain)
    assert [b["payload"] for b in dispatcher.messages[-1]["buttons"]] == ["/affirm", "/deny"]
    assert slots_of(second) == {"misses": 0, "pending_offer": "handoff"}


async def test_a_form_turn_fills_the_requested_field(
    tracker: Make, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    events = await ValidateEscalationForm().run(dispatcher, tracker("Maria Rossi", "faq", requested=NAME), domain)
    assert slots_of(events) == {NAME: "Maria Rossi", "escalation_failures": 0}


async def test_consent_is_stored_as_the_time_it_was_given(
    tracker: Make, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    events = await ValidateEscalationForm().run(dispatcher, tracker("/affirm", "affirm", requested=CONSENT), domain)
    given = datetime.fromisoformat(slots_of(events)[CONSENT])
    assert abs((datetime.now(timezone.utc) - given).total_seconds()) < 60


async def test_an_invalid_value_is_re_asked_and_never_rejected(
    tracker: Make, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    events = await ValidateEscalationForm().run(dispatcher, tracker("mario@", requested=CONTACT), domain)
    assert slots_of(events) == {CONTACT: None, "escalation_failures": 1}
    assert "333 123 4567" in dispatcher.messages[0]["text"]


async def test_questions_adapt_to_the_channel(
    tracker: Make, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    await AskContact().run(dispatcher, tracker(sender="telegram:42"), domain)
    await AskContact().run(dispatcher, tracker(), domain)
    assert "Telegram" in dispatcher.messages[0]["text"] and dispatcher.messages[0]["buttons"][0]["payload"] == "/affirm"
    assert "email" in dispatcher.messages[1]["text"]
    assert all(m["buttons"][-1]["payload"] == "/cancel" for m in dispatcher.messages)


async def test_role_buttons_read_like_typed_words(
    tracker: Make, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    await AskRole().run(dispatcher, tracker(), domain)
    payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"][:-1]]
    assert payloads == ["Lavoratore o lavoratrice", "Datore di lavoro", "Socio o socia di cooperativa", "Altro"]


async def test_consent_shows_the_summary_and_the_privacy_notice(
    tracker: Make, dispatcher: CollectingDispatcher, domain: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPORTELLO_PRIVACY_NOTICE_URL", "https://www.cooperativa.it/privacy")
    await AskConsent().run(dispatcher, tracker(slots=COMPLETE), domain)
    text = dispatcher.messages[0]["text"]
    assert "Maria Rossi" in text and "maria@esempio.it" in text and "Socio o socia" in text
    assert "(https://www.cooperativa.it/privacy)" in text and "non indicata" in text


async def test_submitting_opens_one_ticket_and_gives_its_number(
    api: FakeApi, tracker: Make, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    done = tracker("/affirm", "affirm", slots=COMPLETE, events=[{"event": "bot", "text": "Ciao!", "timestamp": 1.0}])
    events = await ActionSubmitEscalation().run(dispatcher, done, domain)
    ((key, body),) = api.ticket_requests
    assert body["contact"] == {"name": "Maria Rossi", "email": "maria@esempio.it"}
    assert body["channel"] == "webchat" and body["role"] == "socio" and body["company"] is None
    assert body["consent_at"] == COMPLETE["consent"] and body["privacy_notice_version"] == "2026-11"
    assert [t["who"] for t in body["transcript"]] == ["bot", "user"]
    assert "**SW-2026-000001**" in dispatcher.messages[0]["text"]
    assert "a che punto è la mia richiesta SW-2026-000001" in dispatcher.messages[0]["text"]
    assert slots_of(events)["open_ticket"] == "SW-2026-000001" and slots_of(events)[DESCRIPTION] is None

    # Rasa calling the action again for the same request: the same ticket.
    await ActionSubmitEscalation().run(CollectingDispatcher(), done, domain)
    assert len(api.tickets) == 1 and api.ticket_requests[1][0] == key


async def test_with_the_api_down_the_request_is_kept_and_the_user_told_honestly(
    api: FakeApi, tracker: Make, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    api.down = True
    await ActionSubmitEscalation().run(dispatcher, tracker("/affirm", "affirm", slots=COMPLETE), domain)
    assert dispatcher.messages[0]["text"] == QUEUED_TEXT
    assert len(get_outbox()) == 1


async def test_a_cancelled_form_stores_nothing(
    api: FakeApi, tracker: Make, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    cancelled = {**COMPLETE, "consent": None, "escalation_outcome": "cancelled"}
    events = await ActionSubmitEscalation().run(dispatcher, tracker("annulla", "cancel", slots=cancelled), domain)
    assert api.ticket_requests == [] and len(get_outbox()) == 0
    assert dispatcher.messages[0]["text"] == CANCELLED_TEXT
    assert SlotSet(NAME, None) in events


@pytest.mark.parametrize(
    ("text", "number"),
    [("a che punto è SW-2026-000123?", "SW-2026-000123"), ("sw 2026 45", "SW-2026-000045"), ("la mia richiesta", None)],
)
def test_ticket_numbers_in_any_form(text: str, number: str | None) -> None:
    assert ticket_number(text) == number


async def test_status_only_for_this_conversations_tickets_with_the_same_reply_otherwise(
    api: FakeApi, tracker: Make, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    api.tickets["a"] = api.ticket("SW-2026-000001", "telegram:1", "in_carico")
    mine = await ActionStatusRun(
        dispatcher, tracker("a che punto è SW-2026-000001?", "ticket_status", "telegram:1"), domain
    )
    assert "presa in carico" in dispatcher.messages[-1]["text"] and mine
    await ActionStatusRun(dispatcher, tracker("a che punto è SW-2026-000001?", "ticket_status", "telegram:2"), domain)
    other = dispatcher.messages[-1]["text"]
    await ActionStatusRun(dispatcher, tracker("a che punto è SW-2026-999999?", "ticket_status", "telegram:2"), domain)
    assert other == dispatcher.messages[-1]["text"] == NOT_FOUND


async def test_status_look_ups_are_limited_per_conversation(
    api: FakeApi, tracker: Make, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    lookups: list[float] = []
    for _ in range(6):
        events = await ActionStatusRun(
            dispatcher, tracker("SW-2026-000009", "ticket_status", slots={"ticket_lookups": lookups}), domain
        )
        lookups = slots_of(events)["ticket_lookups"]
    assert "molte volte" in dispatcher.messages[-1]["text"]
    assert sum("Non trovo" in m["text"] for m in dispatcher.messages) == 5


async def ActionStatusRun(dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[Any]:
    return await ActionTicketStatus().run(dispatcher, tracker, domain)
