"""How a topic's answer reads in the chat: answer, legal references, validity.

Shared by the generator (Rasa responses) and the custom actions, so that the
model's labels and what users read never drift apart.
"""

from __future__ import annotations

from bot.kb.model import Topic

FAQ_INTENT = "faq"


def response_key(topic_id: str) -> str:
    """The retrieval intent key, as in `faq/fringe_soglie_2026`."""
    return f"{FAQ_INTENT}/{topic_id}"


def topic_id_from_key(key: str) -> str | None:
    prefix = f"{FAQ_INTENT}/"
    return key[len(prefix) :] if key.startswith(prefix) else None


def render_answer(topic: Topic) -> str:
    reviewed = topic.last_reviewed.strftime("%d/%m/%Y")
    footer = f"📚 Riferimenti: {'; '.join(topic.references)}\n🗓️ Validità: {topic.years} · verificato il {reviewed}"
    return f"{topic.answer.strip()}\n\n{footer}"
