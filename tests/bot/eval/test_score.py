from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.actions.decision import DecisionRule
from bot.eval.heldout import FollowUp, HeldOut, InScope
from bot.eval.score import format_report, outcome_of, score
from bot.kb.loader import load_files
from bot.kb.model import KnowledgeBase
from tests.bot.conftest import topic_dict

RULE = DecisionRule(answer=0.5, followups=True, year_routing=True)


def parse(text: str, intent: str = "faq", *ranking: tuple[str, float]) -> dict[str, Any]:
    entries = [{"intent_response_key": f"faq/{t}", "confidence": c} for t, c in ranking]
    selector = {"faq": {"ranking": entries}}
    return {"text": text, "intent": {"name": intent, "confidence": 0.9}, "response_selector": selector}


@pytest.fixture
def kb(write_kb: Callable[..., Path]) -> KnowledgeBase:
    def topic(topic_id: str, **extra: object) -> dict[str, object]:
        return topic_dict(topic_id, questions=[f"{topic_id} domanda {i}" for i in range(12)], **extra)

    return load_files(
        [
            write_kb(
                "01_a.yml",
                [
                    topic("soglie_2026", family="fringe", years="2025-2027"),
                    topic("soglie_passate", family="fringe", years="2020-2024"),
                    topic("tfr"),
                    topic("mensa"),
                ],
            )
        ]
    )


def test_outcomes_are_what_the_user_gets(kb: KnowledgeBase) -> None:
    assert outcome_of(parse("x", "faq", ("tfr", 0.9)), RULE, kb).topic == "tfr"
    assert outcome_of(parse("x", "faq", ("tfr", 0.3), ("mensa", 0.2)), RULE, kb).suggestions == ("tfr", "mensa")
    assert outcome_of(parse("x", "out_of_scope", ("tfr", 0.9)), RULE, kb).kind == "out_of_scope"
    fallback = outcome_of(parse("x", "nlu_fallback", ("tfr", 0.9)), RULE, kb)
    assert fallback.kind == "suggest" and fallback.top == "tfr"


def test_the_report_counts_each_way_a_question_can_end(kb: KnowledgeBase) -> None:
    heldout = HeldOut(
        in_scope=(
            InScope("giusta", ("tfr",)),
            InScope("sbagliata", ("mensa",)),
            InScope("un clic", ("mensa",)),
            InScope("due argomenti", ("soglie_passate", "soglie_2026")),
            InScope("fuori", ("tfr",)),
        ),
        out_of_scope=("meteo", "ricetta"),
        followups=(FollowUp("fringe oggi", "soglie_2026", "e nel 2023?", "soglie_passate"),),
    )
    parses = {
        "giusta": parse("giusta", "faq", ("tfr", 0.9)),
        "sbagliata": parse("sbagliata", "faq", ("tfr", 0.8), ("mensa", 0.1)),
        "un clic": parse("un clic", "faq", ("tfr", 0.3), ("mensa", 0.25)),
        "due argomenti": parse("due argomenti", "faq", ("soglie_2026", 0.9)),
        "fuori": parse("fuori", "out_of_scope", ("tfr", 0.4)),
        "meteo": parse("meteo", "out_of_scope"),
        "ricetta": parse("ricetta", "faq", ("mensa", 0.7)),
        "fringe oggi": parse("fringe oggi", "faq", ("soglie_2026", 0.9)),
        "e nel 2023?": parse("e nel 2023?", "faq_followup", ("tfr", 0.1)),
    }
    report = score(heldout, parses, RULE, kb, label="prova", split="dev")
    s = report.summary()
    assert (report.in_scope.right, report.in_scope.wrong, report.in_scope.one_click) == (2, 1, 1)
    assert report.in_scope.not_resolved == 1
    assert s["answered_right"] == 0.4 and s["right_or_one_click"] == 0.6
    assert report.oos == 2 and report.oos_handled == 1
    assert report.followups.right == 1 and s["followups_right"] == 1.0
    assert report.confusions[("mensa", "tfr")] == 2  # answered wrong once, proposed second once
    assert report.confusions[("tfr", "out_of_scope")] == 1
    assert any("ricetta" in e for e in report.errors)
    text = format_report(report, verbose=True)
    assert "risposta diretta sbagliata" in text and "Coppie confuse" in text and "'ricetta'" in text


def test_a_follow_up_after_a_wrong_first_answer_has_the_wrong_context(kb: KnowledgeBase) -> None:
    heldout = HeldOut((), (), (FollowUp("prima", "soglie_2026", "e nel 2023?", "soglie_passate"),))
    parses = {
        "prima": parse("prima", "faq", ("tfr", 0.9)),
        "e nel 2023?": parse("e nel 2023?", "faq_followup", ("mensa", 0.1)),
    }
    report = score(heldout, parses, RULE, kb)
    assert report.followups.right == 0


def test_outcomes_use_the_fusion_with_the_nearest_question_search(kb: KnowledgeBase) -> None:
    # The model hesitates between two topics; the training questions are clearly tfr's.
    split = parse("tfr domanda 3", "faq", ("mensa", 0.45), ("tfr", 0.4))
    assert outcome_of(split, RULE, kb).kind == "suggest"
    fused = replace(RULE, lexical_weight=0.3)
    outcome = outcome_of(split, fused, kb)
    assert (outcome.kind, outcome.topic, outcome.top) == ("answer", "tfr", "mensa")


def test_a_wrong_answer_with_the_right_topic_under_it_is_one_click_away(kb: KnowledgeBase) -> None:
    heldout = HeldOut((InScope("vicina", ("soglie_passate",)), InScope("lontana", ("soglie_passate",))), (), ())
    parses = {
        # The right sibling is a «Vedi anche» button under the wrong answer.
        "vicina": parse("vicina", "faq", ("soglie_2026", 0.8), ("soglie_passate", 0.15)),
        "lontana": parse("lontana", "faq", ("tfr", 0.8), ("soglie_passate", 0.15)),
    }
    report = score(heldout, parses, RULE, kb)
    s = report.summary()
    assert report.in_scope.wrong == 2 and report.in_scope.wrong_see_also == 1
    assert s["answered_wrong"] == 1.0 and s["right_or_one_click"] == 0.5 and s["right_or_proposed"] == 0.0
