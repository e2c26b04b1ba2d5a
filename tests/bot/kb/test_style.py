from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.kb.loader import load_files, load_knowledge_base
from bot.kb.style import check_topics, doubt_wording, research_talk
from tests.bot.conftest import topic_dict


@pytest.mark.parametrize(
    "phrase",
    [
        "il regolamento D.M. 122/2017 non è stato letto direttamente",
        "ma non abbiamo verificato il testo della L. 207/2024",
        "(i testi dei CCNL non sono stati consultati)",
        "Le fonti consultate non indicano una durata minima",
        "non e' stato trovato un chiarimento",
        "Per una fonte professionale il welfare non entra nel TFR",
    ],
)
def test_research_talk_is_found(phrase: str) -> None:
    assert research_talk(phrase)


def test_nested_matches_are_reported_once() -> None:
    assert [words for words, _ in research_talk("ma non abbiamo letto quel testo")] == ["non abbiamo letto"]


@pytest.mark.parametrize(
    "phrase",
    [
        "Dal 2026 i buoni pasto elettronici sono esenti fino a 10 € al giorno.",
        "Leggi nel regolamento cosa succede al credito.",
        "Il fondo deve essere iscritto all'Anagrafe dei fondi sanitari.",  # "fondi" is not "fonti"
    ],
)
def test_user_language_is_not_research_talk(phrase: str) -> None:
    assert research_talk(phrase) == []


@pytest.mark.parametrize(
    "phrase",
    [
        "Non è ancora chiaro se la conversione arrivi a 5.000 €.",
        "come si coordini non è chiarito",
        "Per un genitore non convivente ci sono dubbi.",
        "Non c'è una risposta certa.",
        "la norma non lo chiarisce del tutto",
        "importi e regole potrebbero essere cambiati",
    ],
)
def test_doubt_wording_is_found(phrase: str) -> None:
    assert doubt_wording(phrase)


def test_plain_statements_express_no_doubt() -> None:
    assert doubt_wording("Sì: i centri estivi rientrano nella lett. f-bis dell'art. 51 c.2 TUIR.") == []


def test_doubt_in_an_answer_not_marked_uncertain_is_flagged(write_kb: Callable[..., Path]) -> None:
    doubtful = "Non è certo che valga anche nel 2026.\n\nDettagli."
    kb = load_files(
        [
            write_kb(
                "01_a.yml",
                [
                    topic_dict("dubbio", answer=doubtful),
                    topic_dict("segnato", answer=doubtful, uncertain=True, questions=[f"q {i}" for i in range(12)]),
                ],
            )
        ]
    )
    problems = [str(p) for p in check_topics(kb.topics)]
    assert len(problems) == 1
    assert problems[0].startswith("01_a.yml [dubbio]") and "uncertain" in problems[0]


def test_research_talk_is_flagged_even_when_uncertain(write_kb: Callable[..., Path]) -> None:
    answer = "Forse sì (art. 51 TUIR), ma non abbiamo verificato il testo.\n\nChiedi a un operatore."
    kb = load_files([write_kb("01_a.yml", [topic_dict("ricerca", answer=answer, uncertain=True)])])
    (problem,) = check_topics(kb.topics)
    assert problem.topic_id == "ricerca" and "non abbiamo verificato" in problem.message


def test_the_real_knowledge_base_speaks_to_users_and_flags_its_doubts() -> None:
    problems = check_topics(load_knowledge_base().topics)
    assert problems == [], "\n".join(str(p) for p in problems)
