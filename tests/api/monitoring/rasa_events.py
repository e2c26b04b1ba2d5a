"""Rasa events as the event broker publishes them, written the way the assistant produces
them (bot/actions/faq.py, feedback.py, escalation/): one conversation at a time."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)  # a Monday, 10:00 in Rome
_ids = itertools.count(1)


def ranking(*topics: tuple[str, float]) -> dict[str, Any]:
    return {
        "all_retrieval_intents": ["faq"],
        "faq": {
            "response": {"intent_response_key": f"faq/{topics[0][0]}" if topics else None},
            "ranking": [
                {"id": n, "confidence": c, "intent_response_key": f"faq/{t}"} for n, (t, c) in enumerate(topics)
            ],
        },
    }


@dataclass
class Conversation:
    """Builds the events of one conversation; `events` is what the broker would publish."""

    sender_id: str
    at: datetime = START
    events: list[dict[str, Any]] = field(default_factory=list)

    def _event(self, kind: str, seconds: float = 0.0, **fields: Any) -> dict[str, Any]:
        self.at += timedelta(seconds=seconds)
        event = {"sender_id": self.sender_id, "event": kind, "timestamp": self.at.timestamp(), **fields}
        self.events.append(event)
        return event

    def start(self, seconds: float = 0.0) -> Conversation:
        self._event("action", seconds, name="action_session_start")
        self._event("session_started")
        self._event("action", name="action_listen")
        return self

    def user(
        self,
        text: str,
        intent: str = "faq",
        confidence: float = 0.9,
        topics: tuple[tuple[str, float], ...] = (),
        seconds: float = 5.0,
        metadata: dict[str, Any] | None = None,
    ) -> Conversation:
        self._event(
            "user",
            seconds,
            text=text,
            input_channel="rest",
            message_id=f"m{next(_ids)}",
            metadata=metadata or {},
            parse_data={
                "text": text,
                "intent": {"name": intent, "confidence": confidence},
                "entities": [],
                "intent_ranking": [{"name": intent, "confidence": confidence}],
                "response_selector": ranking(*topics),
            },
        )
        return self

    def bot(self, text: str = "…", seconds: float = 0.4, **metadata: Any) -> Conversation:
        self._event("bot", seconds, text=text, data={}, metadata=metadata)
        return self

    def action(self, name: str) -> Conversation:
        self._event("action", name=name, policy="RulePolicy", confidence=1.0)
        return self

    def slot(self, name: str, value: Any) -> Conversation:
        self._event("slot", name=name, value=value)
        return self

    def listen(self) -> Conversation:
        return self.action("action_listen")

    # What the assistant does, as its actions' events ------------------------
    def answered(self, question: str, topic: str, confidence: float = 0.9, second: str = "altro_tema") -> Conversation:
        self.user(question, topics=((topic, confidence), (second, round(1 - confidence, 3) / 2)))
        self.action("action_answer_faq").slot("last_faq_topic", topic).slot("last_answered_topic", topic)
        return self.bot().listen()

    def proposed(self, question: str, topics: tuple[str, ...], confidence: float = 0.3) -> Conversation:
        self.user(question, intent="nlu_fallback", confidence=0.4, topics=tuple((t, confidence) for t in topics))
        self.action("action_suggest_topics").slot("last_faq_topic", None).slot("last_suggestions", list(topics))
        return self.bot().listen()

    def selected(self, topic: str) -> Conversation:
        self.user(f'/faq_select{{"faq_topic":"{topic}"}}', intent="faq_select", confidence=1.0)
        self.action("action_answer_selected_faq").slot("last_faq_topic", topic).slot("last_answered_topic", topic)
        return self.bot().listen()

    def not_understood(self, question: str, confidence: float = 0.02) -> Conversation:
        self.user(question, topics=(("welfare_cose", confidence),))
        self.action("action_answer_faq").slot("last_faq_topic", None).slot("misses", 1)
        return self.bot().listen()

    def out_of_scope(self, question: str) -> Conversation:
        self.user(question, intent="out_of_scope", topics=(("welfare_cose", 0.1),))
        return self.action("utter_out_of_scope").bot().listen()

    def vote(self, up: bool) -> Conversation:
        self.user(
            "/feedback_positive" if up else "/feedback_negative",
            intent="feedback_" + ("positive" if up else "negative"),
        )
        self.action("action_record_feedback").slot("last_faq_topic", None)
        return self.bot().listen()

    def vote_without_answer(self) -> Conversation:
        self.user("/feedback_negative", intent="feedback_negative")
        return self.action("action_record_feedback").bot().listen()

    def escalated(self, ticket: str | None = "SW-2026-000001") -> Conversation:
        self.user("voglio parlare con un operatore", intent="human_handoff")
        self.action("action_start_escalation").bot().action("escalation_form")
        if ticket:
            self.user("sì, acconsento", intent="affirm")
            self.action("action_submit_escalation").slot("open_ticket", ticket).bot()
        return self.listen()

    def greeting(self) -> Conversation:
        self.user("ciao", intent="greet")
        return self.action("utter_greet").bot().listen()

    def owned(self, text: str) -> Conversation:
        """A message while an operator owns the conversation: recorded, not answered."""
        self.user(text, intent="faq", topics=(("welfare_cose", 0.2),), metadata={"owned_by": "7"})
        return self
