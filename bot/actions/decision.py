"""What to do with a FAQ question, given the NLU parse.

Rasa's FallbackClassifier looks only at the intent confidence and ignores the
ResponseSelector's own confidence (RasaHQ/rasa#9751, #9723), so a confident
`faq` intent with an uncertain topic would be answered with the wrong topic.
This module makes that second decision. Pure Python: `make eval` uses it too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.kb.render import FAQ_INTENT, topic_id_from_key


@dataclass(frozen=True)
class Candidate:
    topic_id: str
    confidence: float


@dataclass(frozen=True)
class Thresholds:
    answer: float = 0.5
    suggest_min: float = 0.05
    max_suggestions: int = 3


@dataclass(frozen=True)
class Decision:
    kind: Literal["answer", "suggest", "not_understood"]
    topic: Candidate | None = None
    suggestions: Sequence[Candidate] = field(default_factory=tuple)


def faq_candidates(parse_data: Mapping[str, Any], known: Any = None) -> list[Candidate]:
    """Ranked FAQ topics from the ResponseSelector output, best first.

    `known`, when given, filters out topics the knowledge base no longer has
    (a model trained on older data).
    """
    selector = (parse_data.get("response_selector") or {}).get(FAQ_INTENT) or {}
    ranking = selector.get("ranking") or []
    candidates: list[Candidate] = []
    for entry in ranking:
        topic_id = topic_id_from_key(str(entry.get("intent_response_key", "")))
        confidence = entry.get("confidence")
        if topic_id is None or not isinstance(confidence, (int, float)):
            continue
        if known is not None and topic_id not in known:
            continue
        candidates.append(Candidate(topic_id, float(confidence)))
    return sorted(candidates, key=lambda c: c.confidence, reverse=True)


def decide(candidates: Sequence[Candidate], thresholds: Thresholds) -> Decision:
    if candidates and candidates[0].confidence >= thresholds.answer:
        return Decision("answer", topic=candidates[0])
    suggestions = tuple(c for c in candidates[: thresholds.max_suggestions] if c.confidence >= thresholds.suggest_min)
    if suggestions:
        return Decision("suggest", suggestions=suggestions)
    return Decision("not_understood")
