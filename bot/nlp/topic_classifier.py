"""A second opinion on the FAQ topic, blended into the ResponseSelector's ranking.

A Rasa 3 graph component, placed right after the ResponseSelector:

    - name: bot.nlp.topic_classifier.TopicClassifier
      weight: 0.7

It trains a logistic regression over TF-IDF character n-grams (2-5, within words)
and word uni- and bigrams of the FAQ training questions, the classic strong
baseline for short texts with many labels and a few dozen examples each. On the
held-out dev half it ranks the right topic first more often than the
ResponseSelector (docs/benchmarks.md), and the two err on different questions,
so each topic's confidence becomes

    (1 - weight) · ResponseSelector confidence + weight · classifier probability

over the topics either ranks. The decision in the actions (bot.actions.decision)
reads the blended ranking as it read the ResponseSelector's: nothing downstream
changes, and the classifier is trained and stored with the model by `rasa train`.
"""

from __future__ import annotations

import logging
import pickle
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.kb.loader import normalise_question  # the same folding as the knowledge base's questions

logger = logging.getLogger(__name__)

WEIGHT = "weight"
C = "C"
RETRIEVAL_INTENT = "retrieval_intent"
RANKING_LENGTH = "ranking_length"
_FILE = "topic_classifier.pkl"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class TopicClassifier(GraphComponent):
    """Blends a TF-IDF logistic regression into the retrieval intent's topic ranking."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {WEIGHT: 0.7, C: 10.0, RETRIEVAL_INTENT: "faq", RANKING_LENGTH: 10}

    @staticmethod
    def required_packages() -> list[str]:
        return ["sklearn"]

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if not 0.0 <= float(config.get(WEIGHT, 0.7)) <= 1.0:
            raise ValueError(f"{WEIGHT} deve essere tra 0 e 1")
        if float(config.get(C, 10.0)) <= 0:
            raise ValueError(f"{C} deve essere positivo")

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        pipeline: Any = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self.validate_config(self._config)
        self._model_storage = model_storage
        self._resource = resource
        self._pipeline = pipeline  # (vectorizers, classifier) once trained or loaded

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TopicClassifier:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.feature_extraction.text import TfidfVectorizer  # a Rasa dependency
        from sklearn.linear_model import LogisticRegression

        prefix = f"{self._config[RETRIEVAL_INTENT]}/"
        texts: list[str] = []
        labels: list[str] = []
        for example in training_data.training_examples:
            key = example.get(INTENT_RESPONSE_KEY)
            text = example.get(TEXT)
            if isinstance(key, str) and key.startswith(prefix) and isinstance(text, str) and text.strip():
                texts.append(normalise_question(text))
                labels.append(key)
        if len(set(labels)) < 2:
            logger.warning("TopicClassifier: meno di due argomenti tra gli esempi, nessun classificatore")
            return self._resource
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True).fit(texts)
        words = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True).fit(texts)
        classifier = LogisticRegression(C=float(self._config[C]), max_iter=3000)
        classifier.fit(self._features((chars, words), texts), labels)
        self._pipeline = ((chars, words), classifier)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / _FILE).write_bytes(pickle.dumps(self._pipeline))
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> TopicClassifier:
        pipeline = None
        try:
            with model_storage.read_from(resource) as directory:
                # Written by train() above into the model archive: trusted as the model itself.
                pipeline = pickle.loads((directory / _FILE).read_bytes())
        except (ValueError, FileNotFoundError):
            logger.warning("TopicClassifier: nessun classificatore nel modello, ranking invariato")
        return cls(config, model_storage, resource, pipeline)

    @staticmethod
    def _features(vectorizers: tuple[Any, Any], texts: list[str]) -> Any:
        import scipy.sparse as sp

        return sp.hstack([v.transform(texts) for v in vectorizers]).tocsr()

    @staticmethod
    def _probabilities(classifier: Any, features: Any) -> Any:
        """The multinomial regression's softmax, computed directly: the same figures as
        `predict_proba`, whose input checks cost five times the product (4 ms a turn)."""
        import numpy as np

        if classifier.coef_.shape[0] == 1:  # two topics: a binary regression
            return classifier.predict_proba(features)[0]
        scores = np.asarray(features @ classifier.coef_.T).ravel() + classifier.intercept_
        exps = np.exp(scores - scores.max())
        return exps / exps.sum()

    def process(self, messages: list[Message]) -> list[Message]:
        if self._pipeline is None:
            return messages
        for message in messages:
            self._blend(message)
        return messages

    def _blend(self, message: Message) -> None:
        text = message.get(TEXT)
        selector = message.get("response_selector") or {}
        output = selector.get(self._config[RETRIEVAL_INTENT])
        if not isinstance(text, str) or not text.strip() or not isinstance(output, dict):
            return
        vectorizers, classifier = self._pipeline
        probabilities = self._probabilities(classifier, self._features(vectorizers, [normalise_question(text)]))
        weight = float(self._config[WEIGHT])
        blended: dict[str, float] = {}
        ids: dict[str, Any] = {}
        for entry in output.get("ranking") or []:
            key = str(entry.get("intent_response_key"))
            blended[key] = (1 - weight) * float(entry.get("confidence") or 0.0)
            ids[key] = entry.get("id")
        for key, probability in zip(classifier.classes_, probabilities, strict=True):
            blended[str(key)] = blended.get(str(key), 0.0) + weight * float(probability)
        ranked = sorted(blended.items(), key=lambda item: item[1], reverse=True)[: int(self._config[RANKING_LENGTH])]
        output["ranking"] = [
            {"id": ids.get(key), "confidence": confidence, "intent_response_key": key} for key, confidence in ranked
        ]
        response = output.get("response")
        if isinstance(response, dict) and ranked:
            top_key, top_confidence = ranked[0]
            if response.get("intent_response_key") != top_key:
                # The answer's text comes from the domain by topic (bot.actions.faq), never from here.
                response.update(intent_response_key=top_key, responses=None, utter_action=f"utter_{top_key}")
            response["confidence"] = top_confidence
        message.set("response_selector", selector, add_to_output=True)
