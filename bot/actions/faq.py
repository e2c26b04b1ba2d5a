"""Actions that answer FAQ questions or propose the closest topics."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.catalog import get_catalog
from bot.actions.decision import DEFAULT_RULE, Candidate, Decision, DecisionRule, decide, faq_candidates
from bot.actions.escalation.start import MISSES_SLOT, note_miss
from bot.actions.lexical import topic_scores
from bot.actions.messages import answer_message, suggestions_message
from bot.actions.selection import pick_suggestion
from bot.actions.settings import get_settings

# The topic answered last, kept across votes and proposals: a follow-up such as
# "e per il 2027?" is read in its context.
CONTEXT_SLOT = "last_answered_topic"


def _rule() -> DecisionRule:
    settings = get_settings()
    return DEFAULT_RULE.with_settings(
        settings.faq_answer_threshold, settings.suggest_min_confidence, settings.max_suggestions
    )


def _answer(
    dispatcher: CollectingDispatcher,
    topic_id: str,
    confidence: float | None,
    question: str | None,
    see_also: tuple[str, ...] = (),
) -> list[EventType]:
    kb = get_catalog()
    topic = kb.get(topic_id)
    if topic is None:
        dispatcher.utter_message(response="utter_default")
        return []
    siblings = tuple(t for t_id in see_also if (t := kb.get(t_id)) is not None)
    dispatcher.utter_message(**answer_message(topic, get_settings().contact_info, siblings).as_kwargs())
    return [
        SlotSet("last_faq_topic", topic.id),
        SlotSet("last_faq_confidence", confidence),
        SlotSet("last_faq_question", question),
        SlotSet(CONTEXT_SLOT, topic.id),
        SlotSet(MISSES_SLOT, 0),  # an answer ends a run of misses
    ]


def _act(dispatcher: CollectingDispatcher, tracker: Tracker, decision: Decision) -> list[EventType]:
    question = tracker.latest_message.get("text")
    if decision.kind == "answer" and decision.topic is not None:
        topic = decision.topic
        # Votes and tickets keep the model's own confidence in the topic, as the
        # monitoring does, not the score the decision fused from it.
        model = {c.topic_id: c.confidence for c in _candidates(tracker)}
        confidence = model.get(topic.topic_id, topic.confidence)
        return _answer(dispatcher, topic.topic_id, confidence, question, tuple(decision.see_also))
    if decision.kind == "suggest":
        topic_ids = [c.topic_id for c in decision.suggestions]
        dispatcher.utter_message(**suggestions_message(get_catalog(), topic_ids).as_kwargs())
        # Remember the question (a vote on the chosen topic refers to it) and the
        # order of the proposals (a typed "il secondo" refers to it).
        return [
            SlotSet("last_faq_topic", None),
            SlotSet("last_faq_question", question),
            SlotSet("last_suggestions", topic_ids),
        ]
    # Not understood: the second miss in a row brings the offer of a person instead.
    offered, events = note_miss(tracker, dispatcher)
    if not offered:
        dispatcher.utter_message(response="utter_default")
    return [SlotSet("last_faq_topic", None), SlotSet("last_faq_question", question), *events]


def _candidates(tracker: Tracker) -> list[Candidate]:
    return faq_candidates(tracker.latest_message, known=get_catalog())


def _decide(tracker: Tracker, intent: str | None) -> Decision:
    rule, kb, text = _rule(), get_catalog(), tracker.latest_message.get("text")
    return decide(
        _candidates(tracker),
        rule,
        kb,
        text,
        intent,
        tracker.get_slot(CONTEXT_SLOT),
        intent_confidence=(tracker.latest_message.get("intent") or {}).get("confidence"),
        similarity=topic_scores(kb, text) if rule.uses_lexical else None,
    )


class ActionAnswerFaq(Action):
    """A FAQ question (or a follow-up of the last answer): answer it, unless the topic is uncertain."""

    def name(self) -> str:
        return "action_answer_faq"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name") or "faq"
        return _act(dispatcher, tracker, _decide(tracker, intent))


class ActionSuggestTopics(Action):
    """The NLU is not sure what the user wants: the rule answers only what is clear
    (a follow-up of the last answer, a very confident topic), otherwise proposes topics."""

    def name(self) -> str:
        return "action_suggest_topics"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        return _act(dispatcher, tracker, _decide(tracker, "nlu_fallback"))


class ActionAnswerSelectedFaq(Action):
    """The user picked one of the proposed topics: by button, or typing "il secondo"."""

    def name(self) -> str:
        return "action_answer_selected_faq"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        topic_id = next(tracker.get_latest_entity_values("faq_topic"), None) or pick_suggestion(
            tracker.latest_message.get("text"), tracker.get_slot("last_suggestions")
        )
        if topic_id is None or topic_id not in get_catalog():
            dispatcher.utter_message(response="utter_rephrase")
            return []
        # The question that led to the suggestions, so a vote refers to it.
        question = tracker.get_slot("last_faq_question")
        return _answer(dispatcher, topic_id, None, question)
