from __future__ import annotations

from typing import Any
from unittest.mock import MagicMock

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlp.use_featurizer import UniversalSentenceEncoderFeaturizer


def _featurizer(**config: Any) -> UniversalSentenceEncoderFeaturizer:
    full = {**UniversalSentenceEncoderFeaturizer.get_default_config(), **config}
    component = UniversalSentenceEncoderFeaturizer.create(
        full, MagicMock(), MagicMock(), ExecutionContext(MagicMock(), node_name="use")
    )
    assert isinstance(component, UniversalSentenceEncoderFeaturizer)
    return component


def _sentence_vector(message: Message) -> np.ndarray:
    (features,) = [f for f in message.features if f.type == FEATURE_TYPE_SENTENCE and f.attribute == TEXT]
    assert features.origin == "use"
    return np.asarray(features.features).ravel()


def test_every_text_gets_one_normalised_sentence_vector() -> None:
    messages = [Message({TEXT: "quanto valgono i buoni pasto nel 2026?"}), Message({TEXT: "ciao"})]
    _featurizer(batch_size=1).process(messages)
    for message in messages:
        vector = _sentence_vector(message)
        assert vector.shape == (512,)
        assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-3)


def test_meaning_brings_different_words_together() -> None:
    texts = [
        "fino a quanto sono esenti i buoni pasto elettronici?",
        "ticket restaurant digitali: qual è il limite senza tasse?",
        "come si deposita il contratto aziendale al ministero?",
    ]
    messages = [Message({TEXT: t}) for t in texts]
    _featurizer().process(messages)
    meal, ticket, deposit = (_sentence_vector(m) for m in messages)
    assert float(meal @ ticket) > float(meal @ deposit)


def test_training_examples_are_featurized_and_messages_without_text_left_alone() -> None:
    with_text = Message({TEXT: "il welfare è tassato?", "intent": "faq"})
    without_text = Message({"intent": "greet"})
    data = TrainingData([with_text, without_text])
    _featurizer().process_training_data(data)
    assert _sentence_vector(with_text).shape == (512,)
    assert without_text.features == []


def test_invalid_batch_size_is_refused() -> None:
    with pytest.raises(ValueError):
        UniversalSentenceEncoderFeaturizer.validate_config({"batch_size": 0})
