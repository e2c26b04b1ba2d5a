from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.kb.loader import KnowledgeBaseError, load_files, load_knowledge_base, normalise_question
from tests.bot.conftest import topic_dict


def _problems(paths: list[Path]) -> list[str]:
    with pytest.raises(KnowledgeBaseError) as exc_info:
        load_files(paths)
    return exc_info.value.problems


def test_valid_file_loads_every_field(write_kb: Callable[..., Path]) -> None:
    path = write_kb("01_a.yml", [topic_dict("buoni_pasto", uncertain=True, related=["mensa"]), topic_dict("mensa")])
    kb = load_files([path])
    topic = kb.get("buoni_pasto")
    assert topic is not None
    assert topic.section == "sezione"
    assert topic.uncertain is True
    assert topic.related == ("mensa",)
    assert topic.lead == "Risposta breve su buoni_pasto (art. 51 TUIR)."
    assert topic.last_reviewed.isoformat() == "2026-11-24"
    assert len(kb) == 2 and "mensa" in kb


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"answer": ""}, "'answer'"),
        ({"audience": "tutti"}, "'audience'"),
        ({"references": []}, "'references'"),
        ({"years": ""}, "'years'"),
        ({"last_reviewed": "ieri"}, "'last_reviewed'"),
        ({"uncertain": "forse"}, "'uncertain'"),
        ({"questions": ["una", "due"]}, "'questions'"),
        ({"id": "Buoni-Pasto"}, "'id'"),
        ({"id": "a" * 30}, "'id'"),  # a signed topic button must fit Telegram's 64 bytes
        ({"title": "x" * 80}, "'title'"),
        ({"extra": 1}, "campi sconosciuti"),
    ],
)
def test_malformed_topic_is_reported_with_file_topic_and_field(
    write_kb: Callable[..., Path], override: dict[str, object], field: str
) -> None:
    path = write_kb("02_rotto.yml", [topic_dict("buoni_pasto", **override)])
    problems = _problems([path])
    assert any(p.startswith("02_rotto.yml [") and field in p for p in problems), problems


def test_all_problems_are_collected_in_one_pass(write_kb: Callable[..., Path]) -> None:
    path = write_kb("03_due.yml", [topic_dict("uno", answer=""), topic_dict("due", audience="nessuno")])
    problems = _problems([path])
    assert len(problems) == 2
    assert "[uno]" in problems[0] and "[due]" in problems[1]


def test_duplicate_ids_across_files_are_reported(write_kb: Callable[..., Path]) -> None:
    a = write_kb("01_a.yml", [topic_dict("buoni_pasto")])
    b = write_kb("02_b.yml", [topic_dict("buoni_pasto", questions=[f"altra domanda {i}" for i in range(12)])])
    assert any("id già usato in 01_a.yml" in p for p in _problems([a, b]))


def test_unknown_or_self_related_topics_are_reported(write_kb: Callable[..., Path]) -> None:
    path = write_kb("01_a.yml", [topic_dict("uno", related=["uno", "fantasma"])])
    problems = _problems([path])
    assert any("non può contenere l'argomento stesso" in p for p in problems)
    assert any("inesistente: fantasma" in p for p in problems)


def test_same_question_in_two_topics_is_reported(write_kb: Callable[..., Path]) -> None:
    shared = "Quanto valgono i buoni pasto?"
    a = topic_dict("uno", questions=[shared, *[f"uno {i}" for i in range(12)]])
    b = topic_dict("due", questions=["quanto valgono i buoni  pasto", *[f"due {i}" for i in range(12)]])
    problems = _problems([write_kb("01_a.yml", [a, b])])
    assert any("è anche in [uno]" in p for p in problems)


def test_questions_repeated_up_to_case_and_accents_do_not_count_twice(write_kb: Callable[..., Path]) -> None:
    questions = ["Perché il welfare?", "perche il welfare", *[f"domanda {i}" for i in range(10)]]
    problems = _problems([write_kb("01_a.yml", [topic_dict("uno", questions=questions)])])
    assert any("domanda ripetuta" in p for p in problems)
    assert any("ne servono almeno 12" in p for p in problems)


def test_rasa_annotation_characters_in_questions_are_refused(write_kb: Callable[..., Path]) -> None:
    questions = ["cosa dice la [lett. f](lettera)?", *[f"domanda {i}" for i in range(12)]]
    problems = _problems([write_kb("01_a.yml", [topic_dict("uno", questions=questions)])])
    assert any("caratteri non ammessi" in p for p in problems)


def test_invalid_yaml_is_reported_with_the_file_name(write_kb: Callable[..., Path]) -> None:
    path = write_kb("04_yaml.yml", [], raw="section: x\ntopics: [unclosed\n")
    assert any(p.startswith("04_yaml.yml: YAML non valido") for p in _problems([path]))


def test_empty_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match="nessun file"):
        load_knowledge_base(tmp_path)


def test_normalise_question_folds_case_accents_and_punctuation() -> None:
    assert normalise_question("  Perché NON è tassato?! ") == "perche non e tassato"


def test_the_real_knowledge_base_is_valid_and_large_enough() -> None:
    kb = load_knowledge_base()
    assert len(kb) >= 60
    assert all(len(t.questions) >= 12 for t in kb.topics)
    assert {t.audience for t in kb.topics} <= {"lavoratore", "datore", "entrambi"}


def test_family_is_optional_and_must_be_snake_case(write_kb: Callable[..., Path]) -> None:
    path = write_kb("01_a.yml", [topic_dict("uno", family="soglie"), topic_dict("due")])
    kb = load_files([path])
    assert kb.get("uno").family == "soglie"  # type: ignore[union-attr]
    assert kb.get("due").family is None  # type: ignore[union-attr]
    problems = _problems([write_kb("02_b.yml", [topic_dict("tre", family="Soglie Fringe")])])
    assert any("'family'" in p for p in problems)


def test_only_known_placeholders_are_allowed_in_answers(write_kb: Callable[..., Path]) -> None:
    ok = topic_dict("uno", answer="Scrivici (art. 51 TUIR).\n\nRecapiti: {contatti}")
    assert load_files([write_kb("01_a.yml", [ok])]).get("uno") is not None
    bad = topic_dict("due", answer="Scrivici (art. 51 TUIR).\n\nTelefono: {telefono} {")
    problems = _problems([write_kb("02_b.yml", [bad])])
    assert any("{telefono}" in p for p in problems)
    assert any("segnaposto sconosciuto in 'answer': {" in p for p in problems)
