"""Custom actions; `python -m bot.actions.server` registers these modules."""

from bot.actions.escalation.form import ASK_ACTIONS, ValidateEscalationForm
from bot.actions.escalation.start import ActionAnswerOffer, ActionFaqNone, ActionStartEscalation
from bot.actions.escalation.status import ActionTicketStatus
from bot.actions.escalation.submit import ActionSubmitEscalation
from bot.actions.faq import ActionAnswerFaq, ActionAnswerSelectedFaq, ActionSuggestTopics
from bot.actions.feedback import ActionRecordFeedback

__all__ = [
    "ASK_ACTIONS",
    "ActionAnswerFaq",
    "ActionAnswerOffer",
    "ActionAnswerSelectedFaq",
    "ActionFaqNone",
    "ActionRecordFeedback",
    "ActionStartEscalation",
    "ActionSubmitEscalation",
    "ActionSuggestTopics",
    "ActionTicketStatus",
    "ValidateEscalationForm",
]
