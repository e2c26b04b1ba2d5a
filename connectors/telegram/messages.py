"""What the bridge sends: the bot's messages and the bridge's own Italian texts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SENDER_PREFIX = "telegram:"

NOT_TEXT_REPLY = (
    "Posso leggere solo messaggi di testo: foto, vocali, adesivi, file e posizioni non riesco ad aprirli. "
    "Scrivimi a parole la tua domanda sul welfare aziendale. 🙂"
)
# Telegram needs some text to hang buttons on.
BUTTONS_ONLY_TEXT = "Scegli una delle opzioni:"


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class BotMessage:
    text: str = ""
    buttons: tuple[Button, ...] = field(default_factory=tuple)

    @classmethod
    def from_rasa(cls, data: dict[str, Any]) -> BotMessage | None:
        """One item of the REST channel's reply; None when it carries nothing we can show."""
        text = data.get("text")
        text = text if isinstance(text, str) else ""
        image = data.get("image")
        if isinstance(image, str) and image.startswith(("http://", "https://")):
            # Our bot sends no images today; a link is better than silence if it ever does.
            text = f"{text}\n{image}".strip()
        raw_buttons = data.get("buttons")
        buttons = tuple(
            Button(str(b["title"]), str(b["payload"]))
            for b in (raw_buttons if isinstance(raw_buttons, list) else [])
            if isinstance(b, dict) and b.get("title") and b.get("payload")
        )
        if not text.strip() and not buttons:
            return None
        return cls(text, buttons)


def sender_id(chat_id: int) -> str:
    """The Rasa conversation id of a Telegram chat."""
    return f"{SENDER_PREFIX}{chat_id}"
