"""How a topic's answer reads in the chat: answer, legal references, validity.

Shared by the generator (Rasa responses) and the custom actions, so that the
model's labels and what users read never drift apart.

Answers may contain `{contatti}`: how to reach the Sportello's operators is
configuration (`SPORTELLO_CONTACT_INFO`, read by the action server), never text
written in the knowledge base. The actions fill it in at run time; the generated
Rasa responses, which only train the model, carry a neutral text instead.
"""

from __future__ import annotations

from bot.kb.model import Topic

FAQ_INTENT = "faq"
CONTACT_PLACEHOLDER = "{contatti}"
ANSWER_PLACEHOLDERS = (CONTACT_PLACEHOLDER,)
# Used where no configuration is at hand (generated training responses).
NEUTRAL_CONTACT = "usa il pulsante «Parla con un operatore»."


def response_key(topic_id: str) -> str:
    """The retrieval intent key, as in `faq/fringe_soglie_2026`."""
    return f"{FAQ_INTENT}/{topic_id}"


def topic_id_from_key(key: str) -> str | None:
    prefix = f"{FAQ_INTENT}/"
    return key[len(prefix) :] if key.startswith(prefix) else None


def mentions_contacts(topic: Topic) -> bool:
    return CONTACT_PLACEHOLDER in topic.answer


def render_answer(topic: Topic, contact: str | None = None) -> str:
    """The answer as users read it; `contact` replaces `{contatti}`."""
    reviewed = topic.last_reviewed.strftime("%d/%m/%Y")
    footer = f"📚 Riferimenti: {'; '.join(topic.references)}\n🗓️ Validità: {topic.years} · verificato il {reviewed}"
    body = topic.answer.strip().replace(CONTACT_PLACEHOLDER, (contact or NEUTRAL_CONTACT).strip())
    return f"{body}\n\n{footer}"
