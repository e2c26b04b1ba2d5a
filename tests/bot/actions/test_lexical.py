from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.actions.lexical import index_for, second_opinion
from bot.kb.loader import load_files
from tests.bot.conftest import topic_dict


def test_the_nearest_training_question_names_its_topic(write_kb: Callable[..., Path]) -> None:
    kb = load_files(
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
    assert second_opinion(kb, "fino a quanto sono esenti i buoni pasto?") == "buoni_pasto"
    assert second_opinion(kb, "e il TFR?") == "tfr"
    assert second_opinion(kb, "") is None
    assert index_for(kb) is index_for(kb)  # built once per knowledge base
