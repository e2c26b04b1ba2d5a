from __future__ import annotations

from bot.actions.decision import Candidate, Thresholds, decide, faq_candidates
from tests.bot.actions.conftest import ranking


def test_candidates_are_ranked_and_stripped_of_the_retrieval_prefix() -> None:
    parse = {"response_selector": ranking(("b", 0.2), ("a", 0.7), ("c", 0.1))}
    assert faq_candidates(parse) == [Candidate("a", 0.7), Candidate("b", 0.2), Candidate("c", 0.1)]


def test_topics_missing_from_the_knowledge_base_are_dropped() -> None:
    parse = {"response_selector": ranking(("vecchio", 0.8), ("a", 0.1))}
    assert faq_candidates(parse, known={"a"}) == [Candidate("a", 0.1)]


def test_no_response_selector_output_means_no_candidates() -> None:
    assert faq_candidates({}) == []
    assert faq_candidates({"response_selector": {"faq": {"ranking": [{"intent_response_key": "x"}]}}}) == []


def test_confident_topic_is_answered() -> None:
    decision = decide([Candidate("a", 0.8), Candidate("b", 0.1)], Thresholds(answer=0.5))
    assert decision.kind == "answer" and decision.topic == Candidate("a", 0.8)


def test_uncertain_topic_becomes_suggestions_above_the_floor() -> None:
    cands = [Candidate("a", 0.4), Candidate("b", 0.3), Candidate("c", 0.2), Candidate("d", 0.1)]
    decision = decide(cands, Thresholds(answer=0.5, suggest_min=0.15, max_suggestions=3))
    assert decision.kind == "suggest"
    assert [c.topic_id for c in decision.suggestions] == ["a", "b", "c"]
    decision = decide(cands, Thresholds(answer=0.5, suggest_min=0.25, max_suggestions=3))
    assert [c.topic_id for c in decision.suggestions] == ["a", "b"]


def test_nothing_plausible_is_not_understood() -> None:
    assert decide([Candidate("a", 0.01)], Thresholds(answer=0.5, suggest_min=0.05)).kind == "not_understood"
    assert decide([], Thresholds()).kind == "not_understood"
