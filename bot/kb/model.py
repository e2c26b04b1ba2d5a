"""Typed view of the knowledge base: sections and their FAQ topics.

Pure Python (no Rasa, no pydantic) so that both the bot environment and the app
environment can import it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

AUDIENCES = ("lavoratore", "datore", "entrambi")


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    section: str
    audience: str
    answer: str
    references: tuple[str, ...]
    years: str
    last_reviewed: dt.date
    uncertain: bool
    questions: tuple[str, ...]
    related: tuple[str, ...]
    source_file: str
    # Topics of one family answer close questions (the same threshold in different
    # years, "what is X" and "limits of X"): when several are in the running, the
    # best one is answered and the others offered as "Vedi anche".
    family: str | None = None

    @property
    def lead(self) -> str:
        """The short direct answer: the answer's first paragraph."""
        return self.answer.strip().split("\n\n", 1)[0].strip()


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    source_file: str
    topics: tuple[Topic, ...]


@dataclass(frozen=True)
class KnowledgeBase:
    sections: tuple[Section, ...]
    _by_id: dict[str, Topic] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for section in self.sections:
            for topic in section.topics:
                self._by_id[topic.id] = topic

    @property
    def topics(self) -> list[Topic]:
        return [t for s in self.sections for t in s.topics]

    def get(self, topic_id: str) -> Topic | None:
        return self._by_id.get(topic_id)

    def __contains__(self, topic_id: object) -> bool:
        return topic_id in self._by_id

    def __len__(self) -> int:
        return len(self._by_id)
