from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.actions.lexical import index_for, second_opinion, topic_scores
from bot.kb.loader import load_files
from bot.kb.model import KnowledgeBase
from tests.bot.conftest import topic_dict


@pytest.fixture
def kb(write_kb: Callable[..., Path]) -> KnowledgeBase:
    return load_files(
        [
            write_kb(
                "01_a.yml",
                [
                    topic_dict("buoni_pasto", questions=[f"buoni pasto elettronici esenti {i}" for i in range(12)]),
                    topic_dict("tfr", questions=[f"il welfare entra nel tfr {i}" for i in range(12)]),
                ],
            )
        ]
    )


def test_the_nearest_training_question_names_its_topic(kb: KnowledgeBase) -> None:
    assert second_opinion(kb, "fino a quanto sono esenti i buoni pasto?") == "buoni_pasto"
    assert second_opinion(kb, "e il TFR?") == "tfr"
    assert second_opinion(kb, "") is None
    assert index_for(kb) is index_for(kb)  # built once per knowledge base


def test_every_topic_gets_a_similarity_for_the_fusion(kb: KnowledgeBase) -> None:
    scores = topic_scores(kb, "fino a quanto sono esenti i buoni pasto?")
    assert set(scores) == {"buoni_pasto", "tfr"}
    assert 0 <= scores["tfr"] < scores["buoni_pasto"] <= 1
    assert topic_scores(kb, "   ") == {}


def test_a_topic_counts_its_two_nearest_questions_not_one_lucky_match(kb: KnowledgeBase) -> None:
    index = index_for(kb)
    text = "buoni pasto elettronici esenti 3"
    nearest, two = index.topic_scores(text, nearest=1), index.topic_scores(text, nearest=2)
    assert nearest["buoni_pasto"] == pytest.approx(1.0)  # the very question
    assert two["buoni_pasto"] < nearest["buoni_pasto"]
    assert index.best(text) == ("buoni_pasto", pytest.approx(1.0))
