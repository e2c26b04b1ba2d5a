from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlp.topic_classifier import TopicClassifier

QUESTIONS = {
    "faq/buoni_pasto": [
        "quanto valgono i buoni pasto elettronici?",
        "limite esente dei buoni pasto cartacei",
        "ticket restaurant senza tasse fino a quanto?",
        "i buoni pasto sono tassati?",
    ],
    "faq/tfr": [
        "posso mettere il tfr nel fondo pensione?",
        "come funziona il trattamento di fine rapporto?",
        "liquidazione del tfr quando si lascia l'azienda",
        "il tfr è tassato?",
    ],
    "faq/nido": [
        "la retta dell'asilo nido si paga col welfare?",
        "rimborso asilo nido con il credito welfare",
        "nido dei bambini pagato dall'azienda",
        "asilo nido e welfare aziendale",
    ],
}


def _training_data() -> TrainingData:
    examples = [
        Message({TEXT: text, INTENT: "faq", INTENT_RESPONSE_KEY: key})
        for key, texts in QUESTIONS.items()
        for text in texts
    ]
    examples.append(Message({TEXT: "ciao", INTENT: "greet"}))
    return TrainingData(examples)


def _component(storage: LocalModelStorage, **config: Any) -> TopicClassifier:
    full = {**TopicClassifier.get_default_config(), **config}
    context = ExecutionContext(graph_schema=None, node_name="topics")  # type: ignore[arg-type]
    return TopicClassifier.create(full, storage, Resource("topics"), context)


def _parse(text: str, ranking: list[tuple[str, float]]) -> Message:
    message = Message({TEXT: text})
    message.set(
        "response_selector",
        {
            "faq": {
                "response": {
                    "intent_response_key": ranking[0][0],
                    "confidence": ranking[0][1],
                    "responses": [{"text": "x"}],
                },
                "ranking": [{"id": i, "intent_response_key": k, "confidence": c} for i, (k, c) in enumerate(ranking)],
            }
        },
        add_to_output=True,
    )
    return message


@pytest.fixture
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


def test_the_classifier_moves_the_ranking_towards_its_topic(storage: LocalModelStorage) -> None:
    component = _component(storage, weight=0.7)
    component.train(_training_data())
    # The ResponseSelector is unsure and prefers a neighbour: the blend ranks the topic
    # whose questions the words match first, and every confidence stays within [0, 1].
    message = _parse("asilo nido pagato col welfare?", [("faq/tfr", 0.5), ("faq/nido", 0.4), ("faq/buoni_pasto", 0.1)])
    component.process([message])
    output = message.get("response_selector")["faq"]
    ranking = output["ranking"]
    assert ranking[0]["intent_response_key"] == "faq/nido"
    assert [r["confidence"] for r in ranking] == sorted((r["confidence"] for r in ranking), reverse=True)
    assert 0.0 < sum(r["confidence"] for r in ranking) <= 1.0 + 1e-9
    # The response follows the new best topic; its text comes from the domain, not from here.
    assert output["response"]["intent_response_key"] == "faq/nido"
    assert output["response"]["confidence"] == ranking[0]["confidence"]
    assert output["response"]["responses"] is None


def test_weight_zero_keeps_the_response_selector_ranking(storage: LocalModelStorage) -> None:
    component = _component(storage, weight=0.0)
    component.train(_training_data())
    message = _parse("asilo nido pagato col welfare?", [("faq/tfr", 0.5), ("faq/nido", 0.4), ("faq/buoni_pasto", 0.1)])
    component.process([message])
    ranking = message.get("response_selector")["faq"]["ranking"]
    assert [(r["intent_response_key"], r["confidence"]) for r in ranking][:3] == [
        ("faq/tfr", 0.5),
        ("faq/nido", 0.4),
        ("faq/buoni_pasto", 0.1),
    ]


def test_a_trained_classifier_is_stored_with_the_model_and_loaded_back(storage: LocalModelStorage) -> None:
    trained = _component(storage)
    resource = trained.train(_training_data())
    context = ExecutionContext(graph_schema=None, node_name="topics")  # type: ignore[arg-type]
    loaded = TopicClassifier.load(TopicClassifier.get_default_config(), storage, resource, context)
    first, second = (
        _parse("ticket restaurant esenti?", [("faq/tfr", 0.6), ("faq/buoni_pasto", 0.4)]) for _ in range(2)
    )
    trained.process([first])
    loaded.process([second])
    assert first.get("response_selector") == second.get("response_selector")
    assert second.get("response_selector")["faq"]["ranking"][0]["intent_response_key"] == "faq/buoni_pasto"


def test_messages_without_a_faq_ranking_or_text_are_left_alone(storage: LocalModelStorage) -> None:
    component = _component(storage)
    component.train(_training_data())
    greeting = Message({TEXT: "ciao"})
    empty = _parse("   ", [("faq/tfr", 0.9)])
    component.process([greeting, empty])
    assert greeting.get("response_selector") is None
    assert empty.get("response_selector")["faq"]["ranking"][0]["confidence"] == 0.9


def test_an_untrained_component_changes_nothing(storage: LocalModelStorage) -> None:
    context = ExecutionContext(graph_schema=None, node_name="topics")  # type: ignore[arg-type]
    loaded = TopicClassifier.load(TopicClassifier.get_default_config(), storage, Resource("vuoto"), context)
    message = _parse("asilo nido?", [("faq/tfr", 0.7), ("faq/nido", 0.3)])
    loaded.process([message])
    assert message.get("response_selector")["faq"]["ranking"][0]["intent_response_key"] == "faq/tfr"


def test_a_weight_outside_zero_one_is_refused() -> None:
    with pytest.raises(ValueError):
        TopicClassifier.validate_config({"weight": 1.5})
    with pytest.raises(ValueError):
        TopicClassifier.validate_config({"C": 0})


def test_the_direct_softmax_gives_the_regressions_own_probabilities(storage: LocalModelStorage) -> None:
    import numpy as np

    component = _component(storage)
    component.train(_training_data())
    assert component._pipeline is not None
    vectorizers, classifier = component._pipeline
    features = TopicClassifier._features(vectorizers, ["ticket restaurant esenti?"])
    direct = TopicClassifier._probabilities(classifier, features)
    assert np.allclose(direct, classifier.predict_proba(features)[0])
    assert direct.sum() == pytest.approx(1.0)
