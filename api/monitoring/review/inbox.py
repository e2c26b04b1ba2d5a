"""The review inbox: messages the assistant did not handle well, near-duplicates together.

A message is pending review when it was not understood, answered with a low topic
confidence, voted 👎, followed by «Altro» after the proposals, or followed by a request
for a person (api/monitoring/ingest.py sets it). Grouping is light and pure Python:

1. messages equal once case, accents and punctuation are ignored are one item;
2. each item is described by the character trigrams of its words (stop words left
   out), which survive typos and word order ("fringe benifit 2026" ~ "benefit fringe 2026");
3. items join the most similar group (Jaccard similarity of trigrams ≥ `threshold`,
   against the group's first item), most frequent items first, found through an
   inverted index instead of comparing every pair.

Largest groups first; each carries its messages' ids, which the review actions take.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.monitoring import outcomes
from api.monitoring.days import day_start
from api.monitoring.models import MonitoredTurn

DEFAULT_THRESHOLD = 0.5
DEFAULT_LIMIT = 2000
# Words that say nothing about the subject of a question.
_STOP_WORDS = (
    "a ad al alla alle allo agli ai anche che chi ci come con cosa cos da dal dalla dei del della delle dello "
    "di e ed gli ha hai ho i il in io la le lo ma me mi ne nel nella nei non o per piu po quale quali quando "
    "quanto quanti se si sono su sul sulla ti tu un una uno vorrei voglio sapere buongiorno salve ciao grazie "
    "posso puoi puo devo c"
)
STOP_WORDS = frozenset(_STOP_WORDS.split())


def normalise(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form (as bot/kb/loader.normalise_question)."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w\s]", " ", folded).split())


def features(normalised: str) -> frozenset[str]:
    words = [w for w in normalised.split() if w not in STOP_WORDS] or normalised.split()
    grams: set[str] = set()
    for word in words:
        padded = f"#{word}#"
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(grams)


@dataclass
class Message:
    turn_id: int
    at: datetime
    text: str
    reasons: tuple[str, ...]
    topic_id: str | None


@dataclass
class Group:
    turn_ids: list[int] = field(default_factory=list)
    texts: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    topics: Counter[str] = field(default_factory=Counter)
    first_at: datetime | None = None
    last_at: datetime | None = None

    @property
    def size(self) -> int:
        return len(self.turn_ids)

    @property
    def representative(self) -> str:
        return self.texts.most_common(1)[0][0]

    @property
    def suggested_topic(self) -> str | None:
        """The topic the assistant thought of most often for these messages: a hint only."""
        best = self.topics.most_common(1)
        return best[0][0] if best else None

    def add(self, message: Message) -> None:
        self.turn_ids.append(message.turn_id)
        self.texts[message.text] += 1
        self.reasons.update(message.reasons)
        if message.topic_id:
            self.topics[message.topic_id] += 1
        self.first_at = min(self.first_at or message.at, message.at)
        self.last_at = max(self.last_at or message.at, message.at)


def group_messages(messages: list[Message], threshold: float = DEFAULT_THRESHOLD) -> list[Group]:
    """Near-duplicates together, largest groups first (then the most recent)."""
    items: dict[str, list[Message]] = {}
    for message in messages:
        items.setdefault(normalise(message.text), []).append(message)
    ordered = sorted(items.items(), key=lambda item: (-len(item[1]), -max(m.at.timestamp() for m in item[1])))
    groups: list[Group] = []
    leaders: list[frozenset[str]] = []
    index: dict[str, list[int]] = {}
    for key, members in ordered:
        grams = features(key)
        shared: Counter[int] = Counter()
        for gram in grams:
            shared.update(index.get(gram, ()))
        best, best_score = -1, 0.0
        for group_no, common in shared.items():
            score = common / (len(grams) + len(leaders[group_no]) - common)
            if score > best_score:
                best, best_score = group_no, score
        if best >= 0 and best_score >= threshold:
            group = groups[best]
        else:
            group = Group()
            groups.append(group)
            leaders.append(grams)
            for gram in grams:
                index.setdefault(gram, []).append(len(groups) - 1)
        for message in members:
            group.add(message)
    return sorted(groups, key=lambda g: (-g.size, -(g.last_at.timestamp() if g.last_at else 0)))


def pending_messages(session: Session, start: date, end: date, limit: int = DEFAULT_LIMIT) -> list[Message]:
    """The most recent `limit` messages waiting for review in the period."""
    query = (
        select(
            MonitoredTurn.id,
            MonitoredTurn.at,
            MonitoredTurn.text,
            MonitoredTurn.review_reasons,
            MonitoredTurn.topic_id,
        )
        .where(
            MonitoredTurn.review == outcomes.PENDING,
            MonitoredTurn.at >= day_start(start),
            MonitoredTurn.at < day_start(end + timedelta(days=1)),
            MonitoredTurn.text.is_not(None),
        )
        .order_by(MonitoredTurn.at.desc(), MonitoredTurn.id.desc())
        .limit(limit)
    )
    return [
        Message(turn_id, at, text or "", tuple(reasons.split(",")) if reasons else (), topic_id)
        for turn_id, at, text, reasons, topic_id in session.execute(query)
    ]


def inbox(
    session: Session, start: date, end: date, *, limit: int = DEFAULT_LIMIT, threshold: float = DEFAULT_THRESHOLD
) -> list[Group]:
    return group_messages(pending_messages(session, start, end, limit), threshold)
