"""A second opinion on the topic: the closest training question by character n-grams.

The ResponseSelector is often right with a low confidence (a long message, a
paraphrase). When a plain TF-IDF nearest-question search over the knowledge base
independently picks the same topic, the two agree and the decision may answer
(bot.actions.decision, `agree_floor`). Built from the knowledge base in memory
(a second or less), then about a millisecond per message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.kb.loader import normalise_question
from bot.kb.model import KnowledgeBase


@dataclass(frozen=True)
class LexicalIndex:
    vectorizer: Any
    matrix: Any
    labels: tuple[str, ...]

    def best(self, text: str | None) -> tuple[str, float] | None:
        """The topic of the most similar training question and the cosine similarity."""
        if not text or not text.strip():
            return None
        scores = (self.matrix @ self.vectorizer.transform([normalise_question(text)]).T).toarray().ravel()
        if not len(scores):
            return None
        index = int(scores.argmax())
        if scores[index] <= 0:
            return None
        return self.labels[index], float(scores[index])


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
