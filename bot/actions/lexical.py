"""A second ranking of the topics: the closest training questions by character n-grams.

The ResponseSelector is often right with a low confidence (a long message, a
paraphrase) and sometimes ranks a neighbour first; a plain TF-IDF search over the
knowledge base's questions errs on other messages. The decision fuses the two
rankings (bot.actions.decision.fuse) and may answer when both pick the same topic
(`agree_floor`). Built from the knowledge base in memory (a second or less), then
about a millisecond per message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.kb.loader import normalise_question
from bot.kb.model import KnowledgeBase

# A topic's similarity is the mean of its this many nearest questions: one lucky
# question alone says less than two.
NEAREST = 2


@dataclass(frozen=True)
class LexicalIndex:
    vectorizer: Any
    matrix: Any
    labels: tuple[str, ...]

    def topic_scores(self, text: str | None, nearest: int = NEAREST) -> dict[str, float]:
        """Every topic's cosine similarity to the text (mean of its `nearest` closest questions)."""
        if not text or not text.strip():
            return {}
        scores = (self.matrix @ self.vectorizer.transform([normalise_question(text)]).T).toarray().ravel()
        by_topic: dict[str, list[float]] = {}
        for label, score in zip(self.labels, scores, strict=True):
            by_topic.setdefault(label, []).append(float(score))
        return {
            topic: sum(sorted(values, reverse=True)[:nearest]) / min(nearest, len(values))
            for topic, values in by_topic.items()
        }

    def best(self, text: str | None) -> tuple[str, float] | None:
        """The topic of the most similar training question and the cosine similarity."""
        scores = self.topic_scores(text, nearest=1)
        if not scores:
            return None
        topic = max(scores, key=lambda t: scores[t])
        return (topic, scores[topic]) if scores[topic] > 0 else None


def build_index(kb: KnowledgeBase) -> LexicalIndex:
    from sklearn.feature_extraction.text import TfidfVectorizer  # a Rasa dependency, bot env only

    texts: list[str] = []
    labels: list[str] = []
    for topic in kb.topics:
        for question in (*topic.questions, topic.title):
            texts.append(normalise_question(question))
            labels.append(topic.id)
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
    matrix = vectorizer.fit_transform(texts)
    return LexicalIndex(vectorizer, matrix, tuple(labels))


_last: list[tuple[KnowledgeBase, LexicalIndex]] = []


def index_for(kb: KnowledgeBase) -> LexicalIndex:
    """The index of this knowledge base object, built once (the actions load the KB once per process)."""
    if not _last or _last[0][0] is not kb:
        _last[:] = [(kb, build_index(kb))]
    return _last[0][1]


def second_opinion(kb: KnowledgeBase, text: str | None) -> str | None:
    best = index_for(kb).best(text)
    return best[0] if best else None


def topic_scores(kb: KnowledgeBase, text: str | None) -> dict[str, float]:
    return index_for(kb).topic_scores(text)
