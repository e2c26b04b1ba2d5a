"""Record 👍/👎 votes on the last FAQ answer."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.clients.sportello_api import FeedbackVote, post_feedback
from bot.actions.escalation.start import offer

NEGATIVE_THANKS = "Grazie, il tuo riscontro ci aiuta a migliorare le risposte."

logger = logging.getLogger(__name__)


class ActionRecordFeedback(Action):
    def name(self) -> str:
        return "action_record_feedback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        topic_id = tracker.get_slot("last_faq_topic")
        if not topic_id:
            dispatcher.utter_message(response="utter_feedback_no_answer")
            return []
        positive = (tracker.latest_message.get("intent") or {}).get("name") == "feedback_positive"
        vote = FeedbackVote(
            conversation_id=tracker.sender_id,
            channel=tracker.get_latest_input_channel() or "sconosciuto",
            topic_id=topic_id,
            vote="up" if positive else "down",
            confidence=tracker.get_slot("last_faq_confidence"),
            question=tracker.get_slot("last_faq_question"),
        )
        # The vote also stays in the tracker (intent + slots), so an API outage
        # loses nothing that monitoring cannot recover.
        await post_feedback(vote)
        # One vote per answer: a second click is not counted twice.
        events: list[EventType] = [SlotSet("last_faq_topic", None)]
        if positive:
            dispatcher.utter_message(response="utter_feedback_thanks_positive")
            return events
        # Not useful: a person is one question away (the user may decline).
        return events + offer(dispatcher, NEGATIVE_THANKS)
