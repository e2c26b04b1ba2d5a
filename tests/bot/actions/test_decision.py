from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from bot.actions.decision import Candidate, DecisionRule, decide, faq_candidates, fuse
from bot.kb.loader import load_files
from bot.kb.model import KnowledgeBase
from tests.bot.actions.conftest import ranking
from tests.bot.conftest import topic_dict

TODAY = dt.date(2026, 11, 30)
RANKING_RULE = DecisionRule(
    gap_floor=0.3, gap=0.25, family_answer=0.6, family_floor=0.3, year_routing=True, followups=True
)


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
    decision = decide([Candidate("a", 0.8), Candidate("b", 0.1)], DecisionRule(answer=0.5))
    assert decision.kind == "answer" and decision.topic == Candidate("a", 0.8)


def test_uncertain_topic_becomes_suggestions_above_the_floor() -> None:
    cands = [Candidate("a", 0.4), Candidate("b", 0.3), Candidate("c", 0.2), Candidate("d", 0.1)]
    decision = decide(cands, DecisionRule(answer=0.5, suggest_min=0.15, max_suggestions=3))
    assert decision.kind == "suggest"
    assert [c.topic_id for c in decision.suggestions] == ["a", "b", "c"]
    decision = decide(cands, DecisionRule(answer=0.5, suggest_min=0.25, max_suggestions=3))
    assert [c.topic_id for c in decision.suggestions] == ["a", "b"]


def test_nothing_plausible_is_not_understood() -> None:
    assert decide([Candidate("a", 0.01)], DecisionRule(answer=0.5, suggest_min=0.05)).kind == "not_understood"
    assert decide([], DecisionRule()).kind == "not_understood"


@pytest.fixture
def kb(write_kb: Callable[..., Path]) -> KnowledgeBase:
    """Fringe thresholds in two years' siblings, a "what is" sibling, and two loners."""

    def topic(topic_id: str, **extra: object) -> dict[str, object]:
        return topic_dict(topic_id, questions=[f"{topic_id} domanda {i}" for i in range(12)], **extra)

    return load_files(
        [
            write_kb(
                "01_a.yml",
                [
                    topic("soglie_2026", family="fringe", years="2025-2027", related=["figli"]),
                    topic("soglie_passate", family="fringe", years="2020-2024"),
                    topic("figli", family="fringe", years="2025-2027"),
                    topic("fringe_cosa", family="fringe", years="vigente"),
                    topic("tfr", years="vigente"),
                    topic("mensa", years="vigente"),
                ],
            )
        ]
    )


def test_a_clear_lead_is_answered_below_the_threshold(kb: KnowledgeBase) -> None:
    decision = decide([Candidate("tfr", 0.45), Candidate("mensa", 0.1)], RANKING_RULE, kb, "tfr?")
    assert decision.kind == "answer" and decision.topic == Candidate("tfr", 0.45) and decision.reason == "distacco"
    close = decide([Candidate("tfr", 0.45), Candidate("mensa", 0.3)], RANKING_RULE, kb, "tfr?")
    assert close.kind == "suggest"


def test_siblings_in_the_lead_answer_the_best_and_offer_the_others(kb: KnowledgeBase) -> None:
    cands = [Candidate("soglie_2026", 0.35), Candidate("figli", 0.3), Candidate("tfr", 0.1)]
    decision = decide(cands, RANKING_RULE, kb, "quanto posso avere di fringe?", today=TODAY)
    assert decision.kind == "answer" and decision.topic is not None
    assert decision.topic.topic_id == "soglie_2026"
    assert decision.see_also == ("figli",) and decision.reason == "famiglia"


def test_leaders_from_different_families_are_proposed(kb: KnowledgeBase) -> None:
    cands = [Candidate("soglie_2026", 0.35), Candidate("tfr", 0.3), Candidate("mensa", 0.2)]
    assert decide(cands, RANKING_RULE, kb, "domanda", today=TODAY).kind == "suggest"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("soglia fringe 2023", "soglie_passate"),
        ("soglia fringe nel 2021 e nel 2022", "soglie_passate"),
        ("soglia fringe 2026", "soglie_2026"),
        ("soglia fringe quest'anno", "soglie_2026"),
        ("soglia fringe", "soglie_2026"),
    ],
)
def test_a_year_in_the_question_routes_to_the_sibling_valid_that_year(
    kb: KnowledgeBase, text: str, expected: str
) -> None:
    cands = [Candidate("soglie_2026", 0.7), Candidate("soglie_passate", 0.2), Candidate("tfr", 0.05)]
    decision = decide(cands, RANKING_RULE, kb, text, today=TODAY)
    assert decision.kind == "answer" and decision.topic is not None
    assert decision.topic.topic_id == expected


def test_a_year_never_routes_to_a_topic_that_always_holds(kb: KnowledgeBase) -> None:
    cands = [Candidate("figli", 0.7), Candidate("fringe_cosa", 0.2)]
    decision = decide(cands, RANKING_RULE, kb, "fringe con figli nel 2019", today=TODAY)
    assert decision.topic is not None and decision.topic.topic_id == "figli"


def test_an_unsure_intent_is_answered_only_above_the_fallback_threshold(kb: KnowledgeBase) -> None:
    cands = [Candidate("tfr", 0.8), Candidate("mensa", 0.1)]
    assert decide(cands, RANKING_RULE, kb, "tfr", intent="nlu_fallback").kind == "suggest"
    rule = DecisionRule(fallback_answer=0.9)
    assert decide(cands, rule, kb, "tfr", intent="nlu_fallback").kind == "suggest"
    assert decide([Candidate("tfr", 0.95)], rule, kb, "tfr", intent="nlu_fallback").kind == "answer"


@pytest.mark.parametrize(
    ("text", "cands", "expected"),
    [
        ("e per il 2027?", [("tfr", 0.2), ("mensa", 0.1)], "soglie_2026"),
        ("e nel 2023 invece?", [("tfr", 0.2), ("mensa", 0.1)], "soglie_passate"),
        ("e se ho due figli?", [("figli", 0.35), ("mensa", 0.2)], "figli"),
        ("e il tfr?", [("tfr", 0.8), ("mensa", 0.1)], "tfr"),
    ],
)
def test_a_follow_up_is_read_in_the_context_of_the_last_answer(
    kb: KnowledgeBase, text: str, cands: list[tuple[str, float]], expected: str
) -> None:
    candidates = [Candidate(t, c) for t, c in cands]
    decision = decide(candidates, RANKING_RULE, kb, text, context="soglie_2026", today=TODAY)
    assert decision.kind == "answer" and decision.topic is not None
    assert decision.topic.topic_id == expected and decision.reason == "seguito"


MOMENT_RULE = DecisionRule(year_routing=True, followups=True, moment_followups_by_year=True)


@pytest.mark.parametrize(
    ("context", "text", "expected"),
    [
        ("soglie_2026", "e nel 2022?", "soglie_passate"),  # the year leaves the last topic for its sibling
        ("soglie_passate", "e adesso?", "soglie_2026"),
        ("soglie_2026", "e per il 2027?", "soglie_2026"),  # still valid: the last topic again
        ("figli", "e nel 2026?", "figli"),  # not a sibling that merely holds that year too
        ("tfr", "e nel 2022?", "tfr"),  # no siblings: the same subject
    ],
)
def test_a_follow_up_that_is_only_a_year_keeps_the_subject_whatever_the_model_reads(
    kb: KnowledgeBase, context: str, text: str, expected: str
) -> None:
    # The model reads a bare year as an unrelated topic, confidently.
    misleading = [Candidate("mensa", 0.9), Candidate("fringe_cosa", 0.05)]
    decision = decide(misleading, MOMENT_RULE, kb, text, context=context, today=TODAY)
    assert decision.kind == "answer" and decision.topic is not None
    assert decision.topic.topic_id == expected and decision.reason == "seguito (anno)"
    # Without the year rule the model's reading wins.
    plain = decide(misleading, RANKING_RULE, kb, text, context=context, today=TODAY)
    assert plain.topic is not None and plain.topic.topic_id == "mensa"


def test_a_follow_up_with_a_subject_of_its_own_is_not_a_moment(kb: KnowledgeBase) -> None:
    cands = [Candidate("tfr", 0.8), Candidate("mensa", 0.1)]
    decision = decide(cands, MOMENT_RULE, kb, "e il tfr nel 2022?", context="soglie_2026", today=TODAY)
    assert decision.topic is not None and decision.topic.topic_id == "tfr" and decision.reason == "seguito"


def test_without_context_or_follow_up_shape_the_context_is_ignored(kb: KnowledgeBase) -> None:
    cands = [Candidate("tfr", 0.2), Candidate("mensa", 0.1)]
    assert decide(cands, RANKING_RULE, kb, "e per il 2027?", today=TODAY).kind == "suggest"
    long_question = "quanto vale la soglia dei fringe benefit per un dipendente senza figli nel 2027?"
    decision = decide(cands, RANKING_RULE, kb, long_question, context="soglie_2026", today=TODAY)
    assert decision.kind == "suggest"
    assert decide(cands, DecisionRule(), kb, "e per il 2027?", context="soglie_2026").kind == "suggest"


def test_relaxed_criteria_need_a_clear_faq_intent(kb: KnowledgeBase) -> None:
    rule = DecisionRule(gap_floor=0.3, gap=0.2, agree_floor=0.2, relaxed_intent_floor=0.999)
    cands = [Candidate("tfr", 0.45), Candidate("mensa", 0.1)]
    assert decide(cands, rule, kb, "tfr?", intent_confidence=1.0).kind == "answer"
    assert decide(cands, rule, kb, "tfr?", intent_confidence=0.98).kind == "suggest"
    assert decide([Candidate("tfr", 0.9)], rule, kb, "tfr?", intent_confidence=0.98).kind == "answer"


def test_a_second_opinion_agreeing_with_the_model_answers_a_low_confidence_topic(kb: KnowledgeBase) -> None:
    rule = DecisionRule(agree_floor=0.2)
    cands = [Candidate("tfr", 0.3), Candidate("mensa", 0.25)]
    decision = decide(cands, rule, kb, "tfr?", second_opinion="tfr")
    assert decision.kind == "answer" and decision.reason == "accordo"
    assert decide(cands, rule, kb, "tfr?", second_opinion="mensa").kind == "suggest"
    assert decide([Candidate("tfr", 0.15)], rule, kb, "tfr?", second_opinion="tfr").kind == "suggest"


def test_a_year_that_rules_out_the_runner_up_sibling_confirms_the_best(kb: KnowledgeBase) -> None:
    rule = DecisionRule(year_routing=True, year_answer=0.2)
    cands = [Candidate("soglie_2026", 0.3), Candidate("soglie_passate", 0.25), Candidate("tfr", 0.1)]
    decision = decide(cands, rule, kb, "soglia fringe 2026", today=TODAY)
    assert decision.kind == "answer" and decision.reason == "anno"
    assert decide(cands, rule, kb, "soglia fringe", today=TODAY).kind == "suggest"
    # A runner-up from another family is not ruled out by the year: no confirmation.
    other = [Candidate("soglie_2026", 0.3), Candidate("tfr", 0.25)]
    assert decide(other, rule, kb, "soglia fringe 2026", today=TODAY).kind == "suggest"


def test_fusion_puts_first_the_topic_both_rankings_support() -> None:
    model = [Candidate("mensa", 0.4), Candidate("tfr", 0.35), Candidate("soglie_2026", 0.2)]
    similarity = {"mensa": 0.2, "tfr": 0.6, "soglie_2026": 0.1, "figli": 0.7}
    fused = fuse(model, similarity, weight=0.4, sharpness=15)
    assert [c.topic_id for c in fused] == ["tfr", "mensa", "soglie_2026"]
    # The search reorders the model's topics only, and the scores stay on the
    # model's scale (at most a distribution), so the thresholds keep their meaning.
    assert "figli" not in {c.topic_id for c in fused}
    assert sum(c.confidence for c in fused) <= 1.0
    # No weight, or no similarities: the model's ranking as it is.
    assert fuse(model, similarity, weight=0.0, sharpness=15) == model
    assert fuse(model, {}, weight=0.4, sharpness=15) == model


def test_a_message_the_model_finds_no_topic_for_stays_not_understood(kb: KnowledgeBase) -> None:
    rule = DecisionRule(suggest_min=0.05, lexical_weight=0.2)
    similarity = {"tfr": 0.9, "mensa": 0.1}
    assert decide([Candidate("tfr", 0.02)], rule, kb, "boh", similarity=similarity).kind == "not_understood"
    assert decide([], rule, kb, "boh", similarity=similarity).kind == "not_understood"
    # A plausible topic elsewhere: the search may then lift another into the proposals.
    cands = [Candidate("mensa", 0.3), Candidate("tfr", 0.02), Candidate("figli", 0.01)]
    decision = decide(cands, rule, kb, "boh", similarity=similarity)
    assert decision.kind == "suggest" and [c.topic_id for c in decision.suggestions] == ["mensa", "tfr"]
    assert decide(cands, DecisionRule(suggest_min=0.05), kb, "boh").suggestions == (Candidate("mensa", 0.3),)


def test_decide_fuses_the_nearest_question_search_before_answering(kb: KnowledgeBase) -> None:
    model = [Candidate("mensa", 0.45), Candidate("tfr", 0.4), Candidate("figli", 0.15)]
    similarity = {"mensa": 0.1, "tfr": 0.7, "figli": 0.1}
    alone = decide(model, DecisionRule(answer=0.5), kb, "domanda", similarity=similarity)
    assert alone.kind == "suggest" and alone.suggestions[0].topic_id == "mensa"
    fused = decide(model, DecisionRule(answer=0.5, lexical_weight=0.4), kb, "domanda", similarity=similarity)
    assert fused.kind == "answer" and fused.topic is not None and fused.topic.topic_id == "tfr"


def test_the_search_votes_only_when_the_intent_is_clearly_a_faq(kb: KnowledgeBase) -> None:
    model = [Candidate("mensa", 0.45), Candidate("tfr", 0.4), Candidate("figli", 0.15)]
    similarity = {"mensa": 0.1, "tfr": 0.7, "figli": 0.1}
    rule = DecisionRule(answer=0.5, lexical_weight=0.4, relaxed_intent_floor=0.999, lexical_needs_clear_intent=True)
    clear = decide(model, rule, kb, "domanda", intent_confidence=1.0, similarity=similarity)
    assert clear.kind == "answer" and clear.topic is not None and clear.topic.topic_id == "tfr"
    # A neighbouring subject (the intent less sure): the model's own ranking, proposed.
    unsure = decide(model, rule, kb, "domanda", intent_confidence=0.99, similarity=similarity)
    assert unsure.kind == "suggest" and [c.topic_id for c in unsure.suggestions][:2] == ["mensa", "tfr"]
    assert unsure.suggestions[0].confidence == 0.45
    # Without the knob the search's vote alone answers it.
    loose = decide(
        model,
        replace(rule, lexical_needs_clear_intent=False),
        kb,
        "domanda",
        intent_confidence=0.99,
        similarity=similarity,
    )
    assert loose.kind == "answer" and loose.topic is not None and loose.topic.topic_id == "tfr"


def test_the_second_opinion_is_the_nearest_question_search_best_topic(kb: KnowledgeBase) -> None:
    rule = DecisionRule(agree_floor=0.2)
    cands = [Candidate("tfr", 0.3), Candidate("mensa", 0.25)]
    assert decide(cands, rule, kb, "tfr?", similarity={"tfr": 0.5, "mensa": 0.2}).reason == "accordo"
    assert decide(cands, rule, kb, "tfr?", similarity={"tfr": 0.2, "mensa": 0.5}).kind == "suggest"
    # Nothing in common with any training question: no opinion at all.
    assert decide(cands, rule, kb, "tfr?", similarity={"tfr": 0.0, "mensa": 0.0}).kind == "suggest"
    assert rule.uses_lexical and DecisionRule(lexical_weight=0.3).uses_lexical and not DecisionRule().uses_lexical


@pytest.mark.parametrize(
    "text",
    [
        "accordo firmato nel 2023: quanto vale la soglia fringe per il 2026?",
        "soglia fringe nel 2026? e nel 2029?",
    ],
)
def test_of_several_years_the_latest_a_sibling_holds_for_is_the_one_asked(kb: KnowledgeBase, text: str) -> None:
    cands = [Candidate("soglie_passate", 0.5), Candidate("soglie_2026", 0.3), Candidate("tfr", 0.05)]
    decision = decide(cands, RANKING_RULE, kb, text, today=TODAY)
    assert decision.kind == "answer" and decision.topic is not None
    assert decision.topic.topic_id == "soglie_2026" and decision.reason == "anno"


def test_an_answer_below_the_threshold_offers_the_runner_up(kb: KnowledgeBase) -> None:
    rule = replace(RANKING_RULE, runner_up_see_also=0.1)
    lead = decide([Candidate("tfr", 0.45), Candidate("mensa", 0.15)], rule, kb, "tfr?")
    assert lead.kind == "answer" and lead.reason == "distacco" and lead.see_also == ("mensa",)
    # A runner-up below the floor is not worth a button, and confident answers keep
    # only their siblings.
    weak = decide([Candidate("tfr", 0.45), Candidate("mensa", 0.05)], rule, kb, "tfr?")
    assert weak.kind == "answer" and weak.see_also == ()
    sure = decide([Candidate("tfr", 0.8), Candidate("mensa", 0.15)], rule, kb, "tfr?")
    assert sure.kind == "answer" and sure.see_also == ()
    # Off by default: the same lead offers nothing that is not a sibling.
    assert decide([Candidate("tfr", 0.45), Candidate("mensa", 0.15)], RANKING_RULE, kb, "tfr?").see_also == ()


def test_earlier_years_named_as_context_do_not_move_the_answer(write_kb: Callable[..., Path]) -> None:
    kb = load_files(
        [
            write_kb(
                "01_a.yml",
                [
                    topic_dict("neoassunti", family="fringe", years="2025-2027"),
                    topic_dict("rsu", family="fringe", years="2024-2027"),
                ],
            )
        ]
    )
    cands = [Candidate("neoassunti", 0.75), Candidate("rsu", 0.1)]
    text = "assunto a marzo 2025, nel 2024 guadagnavo 28.000 €: l'affitto è esente?"
    decision = decide(cands, RANKING_RULE, kb, text, today=TODAY)
    assert decision.topic is not None and decision.topic.topic_id == "neoassunti"
    # When the best topic does not hold for the latest year, the year still routes.
    routed = decide([Candidate("neoassunti", 0.75), Candidate("rsu", 0.1)], RANKING_RULE, kb, "nel 2024?", today=TODAY)
    assert routed.topic is not None and routed.topic.topic_id == "rsu"
