"""Custom actions; `rasa run actions --actions bot.actions` registers these modules."""

from bot.actions.faq import ActionAnswerFaq, ActionAnswerSelectedFaq, ActionSuggestTopics
from bot.actions.feedback import ActionRecordFeedback
from bot.actions.handoff import ActionHumanHandoff

__all__ = [
    "ActionAnswerFaq",
    "ActionAnswerSelectedFaq",
    "ActionHumanHandoff",
    "ActionRecordFeedback",
    "ActionSuggestTopics",
]
