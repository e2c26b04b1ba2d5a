"""The bot's own messages around FAQ answers: buttons and suggestion lists."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.kb.model import KnowledgeBase, Topic
from bot.kb.render import mentions_contacts, render_answer

HANDOFF_BUTTON = {"title": "Parla con un operatore", "payload": "/human_handoff"}
OTHER_BUTTON = {"title": "Altro", "payload": "/faq_none"}
FEEDBACK_BUTTONS = (
    {"title": "👍 Utile", "payload": "/feedback_positive"},
    {"title": "👎 Non utile", "payload": "/feedback_negative"},
)
SUGGEST_INTRO = "Non sono sicuro di aver capito bene. Forse cercavi uno di questi argomenti?"
SEE_ALSO_PREFIX = "Vedi anche: "


@dataclass(frozen=True)
class Message:
    text: str
    buttons: Sequence[dict[str, str]] = field(default_factory=tuple)

    def as_kwargs(self) -> dict[str, Any]:
        return {"text": self.text, "buttons": [dict(b) for b in self.buttons]}


def select_payload(topic_id: str) -> str:
    return "/faq_select" + json.dumps({"faq_topic": topic_id}, separators=(",", ":"))


def answer_message(topic: Topic, contact: str | None = None, see_also: Sequence[Topic] = ()) -> Message:
    """The answer with 👍/👎; `contact` (configuration) fills the answer's `{contatti}`.

    `see_also`: sibling topics the question may have meant, one tap away.
    """
    buttons = list(FEEDBACK_BUTTONS)
    buttons.extend({"title": f"{SEE_ALSO_PREFIX}{t.title}", "payload": select_payload(t.id)} for t in see_also)
    if topic.uncertain or mentions_contacts(topic):
        # The law leaves room for doubt here, or the answer is about reaching
        # the Sportello: a person should be one tap away.
        buttons.append(HANDOFF_BUTTON)
    return Message(render_answer(topic, contact), tuple(buttons))


def suggestions_message(kb: KnowledgeBase, topic_ids: Sequence[str]) -> Message:
    buttons = [
        {"title": topic.title, "payload": select_payload(topic.id)}
        for topic_id in topic_ids
        if (topic := kb.get(topic_id)) is not None
    ]
    return Message(SUGGEST_INTRO, (*buttons, OTHER_BUTTON, HANDOFF_BUTTON))
