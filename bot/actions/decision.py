"""What to do with a FAQ question, given the NLU parse.

Rasa's FallbackClassifier looks only at the intent confidence and ignores the
ResponseSelector's own confidence (RasaHQ/rasa#9751, #9723), so a confident
`faq` intent with an uncertain topic would be answered with the wrong topic.
This module makes that second decision from the whole ranking, not one threshold:

- a topic confident enough, or clearly ahead of the second, is answered;
- a year named in the question moves the answer to the sibling valid that year
  ("soglia fringe 2023" → the past thresholds, not the 2025-2027 ones), or confirms
  the best topic against a sibling that the year rules out;
- the model's ranking is fused with a nearest-question search over the knowledge
  base (bot.actions.lexical): each ranks right where the other errs;
- a low-confidence topic that the nearest-question search picks independently
  is answered;
- these relaxed criteria apply only when the intent is clearly a FAQ question;
- siblings (one `family` in the knowledge base) ranked next to the answer are
  offered as «Vedi anche» buttons (answering on their summed confidence is a knob,
  off in the rule in use);
- a follow-up right after an answer ("e per il 2027?") is read in the context of
  the last topic (bot.actions.followup);
- otherwise the closest topics are proposed, never guessed.

Pure Python: `make eval` scores exactly what the actions do.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.actions.followup import context_scores, is_followup, names_only_a_moment
from bot.actions.years import covers, topic_years, years_in
from bot.kb.model import KnowledgeBase
from bot.kb.render import FAQ_INTENT, topic_id_from_key

# Intents whose turn ends in a FAQ decision (the others have rules of their own).
FAQ_TURN_INTENTS = ("faq", "faq_followup", "nlu_fallback")


@dataclass(frozen=True)
class Candidate:
    topic_id: str
    confidence: float


@dataclass(frozen=True)
class DecisionRule:
    """The knobs of the decision, tuned on the dev half of the held-out set (docs/benchmarks.md)."""

    answer: float = 0.5  # answer when the best topic reaches this (SPORTELLO_FAQ_ANSWER_THRESHOLD)
    suggest_min: float = 0.05  # a topic below this is never proposed
    max_suggestions: int = 3
    # Or answer when the best topic reaches `gap_floor` and leads the second by `gap`.
    gap_floor: float = 1.0
    gap: float = 1.0
    # Or answer when the leading siblings together reach `family_answer` (the best
    # reaching `family_floor`); the other siblings become «Vedi anche».
    family_answer: float = 1.0
    family_floor: float = 1.0
    family_depth: int = 3  # how many leading candidates are looked at for siblings
    max_see_also: int = 2
    see_also_min: float = 0.05
    # An answer given below `answer` (by the lead, the search's agreement or the year)
    # also offers the runner-up as «Vedi anche», sibling or not, when it reaches this:
    # if the lead misled, the right topic is one tap away. 1.0: siblings only.
    runner_up_see_also: float = 1.0
    # A year named in the question moves the answer to the sibling valid that year;
    # the family being clear, such a routed topic is answered from `year_answer`.
    year_routing: bool = False
    year_answer: float = 1.0
    route_depth: int = 10  # the sibling must be among this many leading candidates
    # Or answer from `agree_floor` when a nearest-question search (bot.actions.lexical)
    # independently picks the same topic.
    agree_floor: float = 1.0
    # Fusion with that search before deciding: a ranked topic's score becomes
    # (1 - w)·model confidence + w·its share of softmax(sharpness·similarity) over every
    # topic; at most 1 in all, so the thresholds keep their meaning. 0: the model alone.
    lexical_weight: float = 0.0
    lexical_sharpness: float = 15.0
    # The search votes only when the intent is clearly a FAQ (`relaxed_intent_floor`):
    # it always finds some nearest question, even for a neighbouring subject.
    lexical_needs_clear_intent: bool = False
    # The relaxed criteria (gap, siblings, year, agreement) need the intent to be
    # clearly a FAQ: DIET is near 1.0 on real questions, lower on neighbouring subjects.
    relaxed_intent_floor: float = 0.0
    # In Rasa's nlu_fallback (the intent itself is unsure) answer only above this.
    fallback_answer: float | None = None
    # Follow-ups: weight of the last topic, its family and its related topics.
    followups: bool = False
    context_boost: float = 0.35
    family_boost: float = 0.2
    related_boost: float = 0.1
    year_boost: float = 0.15
    audience_boost: float = 0.1
    followup_answer: float = 0.3
    # A follow-up that is only a year or a moment keeps the last topic's subject and
    # lets the year pick the sibling, whatever the model reads in it.
    moment_followups_by_year: bool = False

    @property
    def uses_lexical(self) -> bool:
        """Whether the decision reads the nearest-question search (fusion or agreement)."""
        return self.lexical_weight > 0 or self.agree_floor < 1

    def with_settings(self, answer: float, suggest_min: float, max_suggestions: int) -> DecisionRule:
        from dataclasses import replace

        return replace(self, answer=answer, suggest_min=suggest_min, max_suggestions=max_suggestions)


# The rule the assistant uses: the winner of `make compare` on the dev half
# (docs/benchmarks.md). `answer` comes from SPORTELLO_FAQ_ANSWER_THRESHOLD.
DEFAULT_RULE = DecisionRule(
    # With the topic classifier blended into the ranking (bot.nlp.topic_classifier)
    # the confidences spread over two opinions: a lead of 0.1 from 0.2 is already
    # clear (0.25 and 0.25 on the ResponseSelector alone).
    gap_floor=0.2,
    gap=0.1,
    # On the dev half 0.1 put the right topic one tap away under 2 more of the 8 wrong
    # answers, for one more button under 4 % of the answers.
    runner_up_see_also=0.1,
    year_routing=True,
    year_answer=0.2,
    route_depth=5,
    agree_floor=0.25,
    lexical_weight=0.2,
    lexical_sharpness=30.0,
    relaxed_intent_floor=0.999,
    followups=True,
    # The last topic's weight in a follow-up: 0.25 beat 0.35 and 0.45 on the 43 dev
    # follow-ups with both the model of 1,800 and of 2,400 training questions.
    context_boost=0.25,
    moment_followups_by_year=True,
)


@dataclass(frozen=True)
class Decision:
    kind: Literal["answer", "suggest", "not_understood"]
    topic: Candidate | None = None
    suggestions: Sequence[Candidate] = field(default_factory=tuple)
    see_also: Sequence[str] = field(default_factory=tuple)
    reason: str = ""  # which part of the rule decided: for the eval's error list


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


def fuse(
    candidates: Sequence[Candidate], similarity: Mapping[str, float], weight: float, sharpness: float
) -> list[Candidate]:
    """The model's ranking fused with the nearest-question similarities, best first.

    The similarities (cosines, every topic) become a distribution by a softmax, so
    both sides weigh in the same unit. The search only reorders the topics the model
    ranks (its ten best): it never brings in one the model did not consider.
    """
    if weight <= 0 or not similarity:
        return sorted(candidates, key=lambda c: c.confidence, reverse=True)
    top = max(similarity.values())
    exps = {t: math.exp(sharpness * (s - top)) for t, s in similarity.items()}
    total = sum(exps.values())
    fused = [
        Candidate(c.topic_id, (1 - weight) * c.confidence + weight * exps.get(c.topic_id, 0.0) / total)
        for c in candidates
    ]
    return sorted(fused, key=lambda c: c.confidence, reverse=True)


def _family(kb: KnowledgeBase | None, topic_id: str) -> str | None:
    topic = kb.get(topic_id) if kb is not None else None
    return topic.family if topic is not None else None


def _route_by_year(
    candidates: list[Candidate], kb: KnowledgeBase, years: set[int], depth: int
) -> tuple[list[Candidate], bool]:
    """Put first the sibling valid for the years named, when the best topic is not.

    Returns the candidates and whether the year decided between siblings (routed
    to one, or confirmed the best against one).
    """
    best = candidates[0]
    best_topic = kb.get(best.topic_id)
    if best_topic is None or best_topic.family is None:
        return candidates, False
    confidence = {c.topic_id: c.confidence for c in candidates[:depth]}
    span = topic_years(best_topic.years)
    years = _asked_years(candidates[:depth], kb, best_topic.family, years)
    if covers(span, years):
        # The year confirms the best topic when it also rules out a close sibling
        # ("soglia fringe 2026": the 2025-2027 thresholds, not the past ones).
        rivals = [
            c
            for c in candidates[1:3]
            if _family(kb, c.topic_id) == best_topic.family and _closed_miss(kb, c.topic_id, years)
        ]
        return candidates, _closed_cover(span, years) and bool(rivals)
    # Only a sibling written for given years ("2020-2024"), not one that holds
    # from some year on ("dal 2017"), says more about a year than the best topic.
    siblings = [
        t
        for t in kb.topics
        if t.family == best_topic.family
        and t.id != best.topic_id
        and t.id in confidence
        and _closed_cover(topic_years(t.years), years)
    ]
    if not siblings:
        return candidates, False
    chosen = max(siblings, key=lambda t: confidence.get(t.id, 0.0))
    # The routed topic inherits the family's confidence: the question is about
    # this subject, the year only says which sibling.
    routed = Candidate(chosen.id, best.confidence + confidence.get(chosen.id, 0.0))
    rest = [c for c in candidates if c.topic_id != chosen.id]
    return [routed, *rest], True


def _asked_years(candidates: Sequence[Candidate], kb: KnowledgeBase, family: str, years: set[int]) -> set[int]:
    """The years a question is about: the latest one named when the best topic (the
    first candidate) holds for it; otherwise all those named or, when no sibling holds
    for all of them, the latest one a sibling holds for. A long message names years of
    context ("assunto a marzo 2025 … nel 2024 guadagnavo …", "un integrativo del 2023 …
    quanto pagheranno nel 2026?") or one beyond the knowledge base ("nel 2026? e nel 2028?")."""
    if len(years) < 2:
        return years
    best = kb.get(candidates[0].topic_id)
    best_span = topic_years(best.years) if best is not None else None
    if best_span is not None and covers(best_span, {max(years)}):
        return {max(years)}
    spans = [
        span
        for c in candidates
        if (topic := kb.get(c.topic_id)) is not None
        and topic.family == family
        and (span := topic_years(topic.years)) is not None
        and None not in span
    ]
    if any(covers(span, years) for span in spans):
        return years
    covered = [y for y in years if any(covers(span, {y}) for span in spans)]
    return {max(covered)} if covered else years


def _closed_cover(span: tuple[int | None, int | None] | None, years: set[int]) -> bool:
    return span is not None and None not in span and covers(span, years)


def _closed_miss(kb: KnowledgeBase, topic_id: str, years: set[int]) -> bool:
    topic = kb.get(topic_id)
    span = topic_years(topic.years) if topic is not None else None
    return span is not None and None not in span and not covers(span, years)


def _see_also(candidates: Sequence[Candidate], kb: KnowledgeBase | None, rule: DecisionRule) -> tuple[str, ...]:
    family = _family(kb, candidates[0].topic_id)
    if family is None:
        return ()
    return tuple(
        c.topic_id
        for c in candidates[1 : rule.family_depth]
        if _family(kb, c.topic_id) == family and c.confidence >= rule.see_also_min
    )[: rule.max_see_also]


def _with_runner_up(see_also: tuple[str, ...], ranked: Sequence[Candidate], rule: DecisionRule) -> tuple[str, ...]:
    if len(ranked) < 2 or ranked[1].confidence < rule.runner_up_see_also or ranked[1].topic_id in see_also:
        return see_also
    return (ranked[1].topic_id, *see_also)[: rule.max_see_also]


def _suggest(candidates: Sequence[Candidate], rule: DecisionRule, reason: str) -> Decision:
    suggestions = tuple(c for c in candidates[: rule.max_suggestions] if c.confidence >= rule.suggest_min)
    if suggestions:
        return Decision("suggest", suggestions=suggestions, reason=reason)
    return Decision("not_understood", reason=reason)


def decide(
    candidates: Sequence[Candidate],
    rule: DecisionRule = DEFAULT_RULE,
    kb: KnowledgeBase | None = None,
    text: str | None = None,
    intent: str | None = "faq",
    context: str | None = None,
    today: dt.date | None = None,
    second_opinion: str | None = None,
    intent_confidence: float | None = None,
    similarity: Mapping[str, float] | None = None,
) -> Decision:
    """The decision for one user turn.

    `intent` is the NLU intent (`nlu_fallback` when Rasa itself is unsure),
    `context` the topic answered last in the conversation (for follow-ups),
    `similarity` every topic's similarity to the text by the nearest-question search
    (bot.actions.lexical), `second_opinion` that search's topic (by default its best).
    """
    if similarity and second_opinion is None:
        nearest = max(similarity, key=lambda t: similarity[t])
        second_opinion = nearest if similarity[nearest] > 0 else None
    model_top = max(candidates, key=lambda c: c.confidence).topic_id if candidates else None
    unclear_intent = intent == "nlu_fallback" or (
        intent_confidence is not None and intent_confidence < rule.relaxed_intent_floor
    )
    weight = 0.0 if rule.lexical_needs_clear_intent and unclear_intent else rule.lexical_weight
    ranked = fuse(candidates, similarity or {}, weight, rule.lexical_sharpness)
    # The search reorders the proposals, but when the model finds no topic plausible
    # the message stays "not understood" (the search always finds some nearest question).
    proposable = ranked if any(c.confidence >= rule.suggest_min for c in candidates) else []
    if not ranked:
        return Decision("not_understood", reason="nessun candidato")
    if rule.followups and kb is not None and context is not None and context in kb and is_followup(text):
        return _decide_followup(ranked, rule, kb, text or "", context, today)
    reason = ""
    if rule.year_routing and kb is not None and text:
        years = years_in(text, today)
        if years:
            ranked, routed = _route_by_year(ranked, kb, years, rule.route_depth)
            reason = "anno" if routed else ""
    best = ranked[0]
    second = ranked[1].confidence if len(ranked) > 1 else 0.0
    limit = rule.answer
    if intent == "nlu_fallback":
        if rule.fallback_answer is None:
            return _suggest(proposable, rule, "intento incerto")
        limit = max(limit, rule.fallback_answer)
    see_also = _see_also(ranked, kb, rule)
    if best.confidence >= limit:
        return Decision("answer", topic=best, see_also=see_also, reason=reason or "soglia")
    if unclear_intent:
        return _suggest(proposable, rule, "intento incerto")
    see_also = _with_runner_up(see_also, ranked, rule)
    if reason == "anno" and best.confidence >= rule.year_answer:
        return Decision("answer", topic=best, see_also=see_also, reason="anno")
    # Agreement is evidence only when the two searches pick the topic independently:
    # once fused, the search has already moved the ranking, so the model must pick it too.
    independent = rule.lexical_weight <= 0 or model_top == best.topic_id
    if second_opinion == best.topic_id and independent and best.confidence >= rule.agree_floor:
        return Decision("answer", topic=best, see_also=see_also, reason=reason or "accordo")
    if best.confidence >= rule.gap_floor and best.confidence - second >= rule.gap:
        return Decision("answer", topic=best, see_also=see_also, reason=reason or "distacco")
    family = _family(kb, best.topic_id)
    if family is not None and best.confidence >= rule.family_floor:
        mass = best.confidence + sum(
            c.confidence for c in ranked[1 : rule.family_depth] if _family(kb, c.topic_id) == family
        )
        if mass >= rule.family_answer:
            return Decision("answer", topic=best, see_also=see_also, reason=reason or "famiglia")
    return _suggest(proposable, rule, reason or "incerto")


def _decide_followup(
    ranked: list[Candidate], rule: DecisionRule, kb: KnowledgeBase, text: str, context: str, today: dt.date | None
) -> Decision:
    if rule.moment_followups_by_year and names_only_a_moment(text):
        return _decide_moment_followup(ranked, rule, kb, text, context, today)
    scored = [
        Candidate(topic_id, score)
        for topic_id, score in context_scores(
            ranked,
            kb,
            context,
            text,
            today,
            rule.context_boost,
            rule.family_boost,
            rule.related_boost,
            rule.year_boost,
            rule.audience_boost,
        )
    ]
    best = scored[0]
    if best.confidence >= rule.followup_answer:
        family = _family(kb, best.topic_id)
        see_also = tuple(
            c.topic_id for c in scored[1 : rule.family_depth] if family and _family(kb, c.topic_id) == family
        )[: rule.max_see_also]
        return Decision("answer", topic=best, see_also=see_also, reason="seguito")
    return _suggest(scored, rule, "seguito incerto")


def _decide_moment_followup(
    ranked: list[Candidate], rule: DecisionRule, kb: KnowledgeBase, text: str, context: str, today: dt.date | None
) -> Decision:
    """«e nel 2025?» right after an answer: the subject is the last topic's, and the year
    says which of its siblings answers, as for a first question that names a year.

    What the model reads in a bare year is noise (it changes with every training set),
    so it only breaks ties between siblings valid for that year.
    """
    own = {c.topic_id: c.confidence for c in ranked}
    family = _family(kb, context)
    siblings = sorted(
        (Candidate(t.id, own.get(t.id, 0.0)) for t in kb.topics if family and t.family == family and t.id != context),
        key=lambda c: c.confidence,
        reverse=True,
    )
    candidates = [Candidate(context, 1.0), *siblings]
    years = years_in(text, today)
    if years:
        candidates, _ = _route_by_year(candidates, kb, years, len(candidates))
    best = Candidate(candidates[0].topic_id, 1.0)
    see_also = tuple(c.topic_id for c in candidates[1:] if c.confidence >= rule.see_also_min)[: rule.max_see_also]
    return Decision("answer", topic=best, see_also=see_also, reason="seguito (anno)")
