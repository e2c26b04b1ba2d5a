from __future__ import annotations

from pathlib import Path

import yaml
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from bot.kb.generate import NLU_FILE, RESPONSES_FILE, build, stale_files, write
from bot.kb.loader import load_knowledge_base
from bot.kb.model import KnowledgeBase


def test_build_produces_rasa_readable_retrieval_intents_and_responses(small_kb: KnowledgeBase) -> None:
    files = build(small_kb)
    nlu = RasaYAMLReader().reads(files[NLU_FILE])
    responses = RasaYAMLReader().reads(files[RESPONSES_FILE])
    keys = {e.get("intent_response_key") for e in nlu.intent_examples}
    assert keys == {"faq/buoni_pasto", "faq/fringe_soglie", "faq/babysitting"}
    assert {e.get("intent") for e in nlu.intent_examples} == {"faq"}
    assert set(responses.responses) == {"utter_faq/buoni_pasto", "utter_faq/fringe_soglie", "utter_faq/babysitting"}
    text = responses.responses["utter_faq/buoni_pasto"][0]["text"]
    assert text.startswith("Risposta breve su buoni_pasto")
    assert "Riferimenti: art. 51 TUIR" in text and "Validità: 2026" in text


def test_titles_become_training_examples(small_kb: KnowledgeBase) -> None:
    nlu = yaml.safe_load(build(small_kb)[NLU_FILE])
    examples = next(i["examples"] for i in nlu["nlu"] if i["intent"] == "faq/buoni_pasto")
    assert "- Buoni pasto\n" in examples
    assert examples.count("\n") == 13


def test_write_then_check_reports_nothing_stale(small_kb: KnowledgeBase, tmp_path: Path) -> None:
    out = tmp_path / "generated"
    assert sorted(write(small_kb, out)) == sorted([NLU_FILE, RESPONSES_FILE])
    assert stale_files(small_kb, out) == []
    (out / NLU_FILE).write_text((out / NLU_FILE).read_text() + "# modifica a mano\n")
    assert stale_files(small_kb, out) == [NLU_FILE]
    assert write(small_kb, out) == [NLU_FILE]


def test_committed_generated_files_are_current() -> None:
    stale = stale_files(load_knowledge_base())
    assert stale == [], f"Rigenera con `make generate`: {stale}"
