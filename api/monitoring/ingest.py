"""The turn builder: Rasa events in, monitoring rows and daily counters out.

Events arrive in order per conversation but in batches of any size, and possibly twice
(a retried batch whose answer was lost, a RabbitMQ redelivery). So:

- a user event makes a turn, stored once per (pseudonym, Rasa message id);
- the events after it (actions, slots, bot messages) settle that turn: answered,
  proposed, not understood, escalated..., its response time, and its conversation's
  escalation or ticket; applying one twice changes nothing;
- a vote (👍/👎) the feedback action recorded lands on the conversation's last answer;
- each touched row's contribution to the daily counters is taken before and after,
  and the difference is added (api/monitoring/aggregates.py).

One transaction per batch: a batch is stored whole or not at all (the sender retries).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.monitoring import outcomes
from api.monitoring.aggregates import Deltas, Key, conversation_counts, turn_counts
from api.monitoring.days import local_day
from api.monitoring.events import (
    ActionRun,
    BotMessage,
    Event,
    MalformedEvent,
    SessionStart,
    SlotChange,
    UserTurn,
    parse_event,
)
from api.monitoring.models import (
    TEXT_LENGTH,
    DailyIngest,
    MonitoredConversation,
    MonitoredTurn,
)
from api.monitoring.pseudonyms import event_key, pseudonym
from api.tickets.models import Ticket
from sportello.identity import channel_of
from sportello.redaction import redact

logger = logging.getLogger(__name__)

# A bot message this long after the user's is not the answer to it (a ticket number
# delivered later, an operator's reply): it sets no response time.
MAX_RESPONSE_MS = 120_000
PROPOSED_LENGTH = 200
# Reasons that come from an event (not from the turn's own state) and stay.
STICKY_REASONS = frozenset({outcomes.REASON_ESCALATED, outcomes.REASON_NONE_FITS})


@dataclass(frozen=True)
class IngestResult:
    events: int
    turns: int
    ignored: int
    rejected: int


def stored_text(text: str | None) -> str | None:
    """The message as monitoring keeps it: redacted (every kind of personal data), and
    None for a button's payload (`/intent...`), which is not something the user wrote."""
    if not text or text.startswith("/"):
        return None
    return redact(text).text[:TEXT_LENGTH]


def _reasons(turn: MonitoredTurn, low_confidence: float) -> set[str]:
    kept = {r for r in (turn.review_reasons or "").split(",") if r in STICKY_REASONS}
    if turn.outcome == outcomes.NOT_UNDERSTOOD:
        kept.add(outcomes.REASON_NOT_UNDERSTOOD)
    if (
        turn.outcome == outcomes.ANSWERED
        and turn.topic_confidence is not None
        and turn.topic_confidence < low_confidence
    ):
        kept.add(outcomes.REASON_LOW_CONFIDENCE)
    if turn.vote == "down":
        kept.add(outcomes.REASON_DOWN_VOTE)
    return kept


class _Batch:
    def __init__(self, session: Session, key: str, low_confidence: float) -> None:
        self.session = session
        self.key = key
        self.low_confidence = low_confidence
        self.conversations: dict[str, MonitoredConversation | None] = {}
        # The turn that actions, slots and bot messages of a pseudonym refer to.
        self.targets: dict[str, MonitoredTurn | None] = {}
        self.senders: dict[str, str] = {}
        self.before: dict[int, tuple[object, list[tuple[Key, dict[str, int]]]]] = {}
        self.turns = 0
        self.stored_keys: set[str] = set()

    def prefetch(self, events: list[Event]) -> None:
        """Which of the batch's user messages are stored already: one query, not one per message."""
        keys = [user_key(pseudonym(self.key, e.sender_id), e) for e in events if isinstance(e, UserTurn)]
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            self.stored_keys.update(
                self.session.scalars(select(MonitoredTurn.event_key).where(MonitoredTurn.event_key.in_(chunk)))
            )

    # Rows and their counters ------------------------------------------------
    def _track(self, row: MonitoredTurn | MonitoredConversation, new: bool = False) -> None:
        if id(row) not in self.before:
            counts = [] if new else self._counts(row)
            self.before[id(row)] = (row, counts)

    @staticmethod
    def _counts(row: object) -> list[tuple[Key, dict[str, int]]]:
        if isinstance(row, MonitoredTurn):
            return turn_counts(row)
        assert isinstance(row, MonitoredConversation)
        return conversation_counts(row)

    def deltas(self) -> Deltas:
        deltas = Deltas()
        for row, before in self.before.values():
            deltas.add_all(before, sign=-1)
            deltas.add_all(self._counts(row))
        return deltas

    # Look-ups ---------------------------------------------------------------
    def conversation(self, pseudonym_: str) -> MonitoredConversation | None:
        if pseudonym_ not in self.conversations:
            query = (
                select(MonitoredConversation)
                .where(MonitoredConversation.pseudonym == pseudonym_)
                .order_by(MonitoredConversation.id.desc())
                .limit(1)
            )
            found = self.session.scalars(query).first()
            if found is not None:
                self._track(found)
            self.conversations[pseudonym_] = found
        return self.conversations[pseudonym_]

    def target(self, pseudonym_: str) -> MonitoredTurn | None:
        if pseudonym_ not in self.targets:
            conversation = self.conversation(pseudonym_)
            turn = None
            if conversation is not None:
                query = (
                    select(MonitoredTurn)
                    .where(MonitoredTurn.conversation_id == conversation.id)
                    .order_by(MonitoredTurn.id.desc())
                    .limit(1)
                )
                turn = self.session.scalars(query).first()
                if turn is not None:
                    self._track(turn)
            self.targets[pseudonym_] = turn
        return self.targets[pseudonym_]

    def _earlier_turn(self, turn: MonitoredTurn, condition: Any) -> MonitoredTurn | None:
        if turn.id is None:
            self.session.flush()  # its id, to compare with (new turns are inserted together)
        query = (
            select(MonitoredTurn)
            .where(MonitoredTurn.conversation_id == turn.conversation_id, MonitoredTurn.id < turn.id, condition)
            .order_by(MonitoredTurn.id.desc())
            .limit(1)
        )
        found = self.session.scalars(query).first()
        if found is not None:
            self._track(found)
        return found

    # Changes ----------------------------------------------------------------
    def new_conversation(self, pseudonym_: str, sender: str, at: datetime) -> MonitoredConversation:
        conversation = MonitoredConversation(
            pseudonym=pseudonym_,
            channel=channel_of(sender),
            started_at=at,
            day=local_day(at),
            last_event_at=at,
            turns=0,
            escalated=False,
            has_ticket=False,
        )
        self.session.add(conversation)
        self.session.flush()  # its id, for the turns
        self._track(conversation, new=True)
        self.conversations[pseudonym_] = conversation
        self.targets[pseudonym_] = None
        return conversation

    def review(self, turn: MonitoredTurn) -> None:
        reviewable = turn.text is not None and turn.outcome != outcomes.OPERATOR
        reasons = _reasons(turn, self.low_confidence) if reviewable else set()
        turn.review_reasons = outcomes.reviewable_reasons(reasons)
        if reasons and turn.review is None:
            turn.review = outcomes.PENDING
        elif not reasons and turn.review == outcomes.PENDING:
            turn.review = None

    def settle(self, turn: MonitoredTurn, outcome: str) -> None:
        if outcomes.may_replace(turn.outcome, outcome):
            turn.outcome = outcome
            self.review(turn)

    def flag(self, turn: MonitoredTurn | None, reason: str) -> None:
        if turn is None:
            return
        reasons = set((turn.review_reasons or "").split(",")) | {reason}
        turn.review_reasons = outcomes.reviewable_reasons(reasons)
        self.review(turn)

    # Events -----------------------------------------------------------------
    def apply(self, event: Event) -> None:
        pseudonym_ = pseudonym(self.key, event.sender_id)
        self.senders[pseudonym_] = event.sender_id
        conversation = self.conversation(pseudonym_)
        if isinstance(event, SessionStart):
            self._session_start(pseudonym_, event, conversation)
            return
        if isinstance(event, UserTurn):
            self._user(pseudonym_, event, conversation)
            return
        if conversation is None:
            return  # nothing to attach it to (monitoring started mid-conversation)
        conversation.last_event_at = max(conversation.last_event_at, event.at)
        turn = self.target(pseudonym_)
        if isinstance(event, SlotChange):
            self._slot(event, turn, conversation)
        elif turn is None:
            return
        elif isinstance(event, ActionRun) and event.name == outcomes.ESCALATION_ACTION:
            self.settle(turn, outcomes.ESCALATED)
            conversation.escalated = True
            question = self._earlier_turn(turn, MonitoredTurn.outcome.in_(outcomes.QUESTION_OUTCOMES))
            self.flag(question, outcomes.REASON_ESCALATED)
        elif isinstance(event, BotMessage) and not event.by_operator and turn.response_ms is None:
            elapsed = int((event.at - turn.at).total_seconds() * 1000)
            if 0 <= elapsed <= MAX_RESPONSE_MS:
                turn.response_ms = elapsed

    def _session_start(self, pseudonym_: str, event: SessionStart, current: MonitoredConversation | None) -> None:
        if current is not None and current.started_at == event.at:
            return  # delivered twice
        query = select(MonitoredConversation).where(
            MonitoredConversation.pseudonym == pseudonym_, MonitoredConversation.started_at == event.at
        )
        existing = self.session.scalars(query).first()
        if existing is not None:
            self._track(existing)
            self.conversations[pseudonym_] = existing
            self.targets.pop(pseudonym_, None)
            return
        self.new_conversation(pseudonym_, event.sender_id, event.at)

    def _user(self, pseudonym_: str, event: UserTurn, conversation: MonitoredConversation | None) -> None:
        key = user_key(pseudonym_, event)
        existing = None
        if key in self.stored_keys:
            existing = self.session.scalars(select(MonitoredTurn).where(MonitoredTurn.event_key == key)).first()
        if existing is not None:
            # A replay: what follows refers to this turn, and changes nothing.
            self._track(existing)
            self.targets[pseudonym_] = existing
            return
        if conversation is None:
            conversation = self.new_conversation(pseudonym_, event.sender_id, event.at)
        top = event.ranking[0] if event.ranking else None
        second = event.ranking[1] if len(event.ranking) > 1 else None
        turn = MonitoredTurn(
            conversation_id=conversation.id,
            event_key=key,
            at=event.at,
            day=local_day(event.at),
            channel=conversation.channel,
            text=stored_text(event.text),
            intent=event.intent,
            intent_confidence=event.intent_confidence,
            topic_id=top.topic_id if top else None,
            topic_confidence=top.confidence if top else None,
            runner_up_id=second.topic_id if second else None,
            runner_up_confidence=second.confidence if second else None,
            outcome=outcomes.initial_outcome(event.intent, event.owned_by_operator),
        )
        self.review(turn)
        self.session.add(turn)
        self.stored_keys.add(key)  # the same message twice in one batch: the second is a replay
        self._track(turn, new=True)
        conversation.turns += 1
        conversation.last_event_at = max(conversation.last_event_at, event.at)
        self.targets[pseudonym_] = turn
        self.turns += 1
        if event.intent == outcomes.NONE_INTENT:
            question = self._earlier_turn(turn, MonitoredTurn.outcome.in_(outcomes.QUESTION_OUTCOMES))
            if question is not None and question.outcome == outcomes.PROPOSED:
                self.flag(question, outcomes.REASON_NONE_FITS)

    def _slot(self, event: SlotChange, turn: MonitoredTurn | None, conversation: MonitoredConversation) -> None:
        if event.name == outcomes.TICKET_SLOT and isinstance(event.value, str) and event.value:
            conversation.has_ticket = True
        if turn is None:
            return
        if event.name == outcomes.VOTED_SLOT and event.value is None and turn.intent in outcomes.VOTE_INTENTS:
            # The feedback action clears the answered topic only when it recorded the vote
            # (bot/actions/feedback.py): a vote with no answer to refer to counts nothing.
            answered = self._earlier_turn(turn, MonitoredTurn.answered_topic.is_not(None))
            if answered is not None and answered.vote is None:
                answered.vote = outcomes.VOTE_INTENTS[turn.intent]
                self.review(answered)
        elif event.name == outcomes.ANSWERED_SLOT and isinstance(event.value, str) and 0 < len(event.value) <= 64:
            turn.answered_topic = event.value
            self.settle(turn, outcomes.SELECTED if turn.intent == outcomes.SELECT_INTENT else outcomes.ANSWERED)
        elif event.name == outcomes.SUGGESTIONS_SLOT and isinstance(event.value, list):
            topics = [t for t in event.value if isinstance(t, str) and 0 < len(t) <= 64 and "," not in t]
            if topics:
                joined = ""
                for topic in topics:
                    if len(joined) + len(topic) + 1 > PROPOSED_LENGTH:
                        break
                    joined = f"{joined},{topic}" if joined else topic
                turn.proposed_topics = joined
                self.settle(turn, outcomes.PROPOSED)

    def link_tickets(self) -> None:
        """Conversations handed to a person whose ticket was opened out of sight (the
        actions' outbox delivers it later): the ticket store says whether one exists."""
        for pseudonym_, conversation in self.conversations.items():
            if conversation is None or not conversation.escalated or conversation.has_ticket:
                continue
            query = select(Ticket.id).where(
                Ticket.conversation_id == self.senders[pseudonym_], Ticket.created_at >= conversation.started_at
            )
            if self.session.scalars(query.limit(1)).first() is not None:
                conversation.has_ticket = True


def user_key(pseudonym_: str, event: UserTurn) -> str:
    return event_key(pseudonym_, event.message_id or repr(event.at.timestamp()))


def ingest(
    session: Session,
    events: Iterable[Any],
    *,
    key: str,
    low_confidence: float,
    dropped: int = 0,
    now: datetime | None = None,
) -> IngestResult:
    """Store a batch of Rasa events (raw dicts) and commit; see the module's docstring."""
    batch = _Batch(session, key, low_confidence)
    parsed: list[Event] = []
    ignored = rejected = 0
    for raw in events:
        try:
            event = parse_event(raw)
        except MalformedEvent as exc:
            rejected += 1
            logger.debug("Evento scartato (%s)", exc)
            continue
        if event is None:
            ignored += 1
        else:
            parsed.append(event)
    batch.prefetch(parsed)
    for event in parsed:
        batch.apply(event)
    used = len(parsed)
    batch.link_tickets()
    deltas = batch.deltas()
    today = local_day(now or datetime.now(timezone.utc))
    deltas.add(DailyIngest, (today,), {"events": used + ignored, "rejected": rejected, "dropped": dropped})
    session.flush()
    deltas.flush(session)
    session.commit()
    if dropped:
        logger.warning("Il server Rasa ha scartato %d eventi di monitoraggio (coda piena)", dropped)
    return IngestResult(events=used, turns=batch.turns, ignored=ignored, rejected=rejected)
