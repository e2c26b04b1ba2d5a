"""What the assistant did with a user message, and why a message goes to review.

A turn's outcome is first guessed from the intent and then settled by what the
actions did (the slots they set, the escalation action). Later evidence replaces an
earlier guess only when it ranks at least as high, so events delivered in several
batches, or twice, settle on the same outcome.
"""

from __future__ import annotations

ANSWERED = "answered"  # a FAQ answer, straight away
SELECTED = "selected"  # a FAQ answer to a topic the user picked among the proposals
PROPOSED = "proposed"  # the closest topics were proposed
NOT_UNDERSTOOD = "not_understood"
OUT_OF_SCOPE = "out_of_scope"
ESCALATED = "escalated"  # handed to a person (the escalation started)
OPERATOR = "operator"  # an operator owned the conversation: not the assistant's turn
OTHER = "other"  # greetings, thanks, votes, the escalation form's answers...

OUTCOMES = (ANSWERED, SELECTED, PROPOSED, NOT_UNDERSTOOD, OUT_OF_SCOPE, ESCALATED, OPERATOR, OTHER)
# The questions the assistant had to answer itself: the denominator of the shares.
QUESTION_OUTCOMES = (ANSWERED, PROPOSED, NOT_UNDERSTOOD, OUT_OF_SCOPE)

_RANK = {
    OTHER: 0,
    NOT_UNDERSTOOD: 0,
    OUT_OF_SCOPE: 1,
    ANSWERED: 2,
    SELECTED: 2,
    PROPOSED: 2,
    ESCALATED: 3,
    OPERATOR: 4,
}

FAQ_INTENTS = frozenset({"faq", "faq_followup", "nlu_fallback"})
SELECT_INTENT = "faq_select"
NONE_INTENT = "faq_none"
OUT_OF_SCOPE_INTENT = "out_of_scope"
HANDOFF_INTENT = "human_handoff"
VOTE_INTENTS = {"feedback_positive": "up", "feedback_negative": "down"}
ESCALATION_ACTION = "action_start_escalation"
# Slots the actions set (bot/actions/faq.py, escalation/submit.py).
ANSWERED_SLOT = "last_answered_topic"
SUGGESTIONS_SLOT = "last_suggestions"
TICKET_SLOT = "open_ticket"
VOTED_SLOT = "last_faq_topic"  # cleared by the feedback action once the vote is recorded

# Review inbox.
PENDING = "pending"
ASSIGNED = "assigned"
NEW_TOPIC = "new_topic"
DISMISSED = "dismissed"
REVIEW_STATES = (PENDING, ASSIGNED, NEW_TOPIC, DISMISSED)

REASON_NOT_UNDERSTOOD = "not_understood"
REASON_LOW_CONFIDENCE = "low_confidence"
REASON_DOWN_VOTE = "down_vote"
REASON_ESCALATED = "escalated"
REASON_NONE_FITS = "none_fits"  # "Altro" after the proposals
REASONS = (REASON_NOT_UNDERSTOOD, REASON_LOW_CONFIDENCE, REASON_DOWN_VOTE, REASON_ESCALATED, REASON_NONE_FITS)
REASON_LABELS = {
    REASON_NOT_UNDERSTOOD: "non capito",
    REASON_LOW_CONFIDENCE: "risposta poco sicura",
    REASON_DOWN_VOTE: "👎",
    REASON_ESCALATED: "passato a un operatore",
    REASON_NONE_FITS: "nessuna proposta adatta",
}
OUTCOME_LABELS = {
    ANSWERED: "risposta diretta",
    SELECTED: "risposta scelta tra le proposte",
    PROPOSED: "argomenti proposti",
    NOT_UNDERSTOOD: "non capito",
    OUT_OF_SCOPE: "fuori ambito",
    ESCALATED: "passato a un operatore",
    OPERATOR: "risposto da un operatore",
    OTHER: "altro (saluti, voti, modulo)",
}


def initial_outcome(intent: str | None, owned_by_operator: bool) -> str:
    """The guess from the intent alone, before the actions' events arrive."""
    if owned_by_operator:
        return OPERATOR
    if intent in FAQ_INTENTS:
        return NOT_UNDERSTOOD  # until an answer or proposals say otherwise
    if intent == OUT_OF_SCOPE_INTENT:
        return OUT_OF_SCOPE
    if intent == HANDOFF_INTENT:
        return ESCALATED
    return OTHER


def may_replace(current: str, new: str) -> bool:
    return current != new and _RANK[new] >= _RANK[current]


def reviewable_reasons(reasons: set[str]) -> str | None:
    """The reasons as stored (fixed order), None when there is none."""
    ordered = [reason for reason in REASONS if reason in reasons]
    return ",".join(ordered) if ordered else None
