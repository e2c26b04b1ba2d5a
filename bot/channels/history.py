"""The web chat's messages: their JSON shape, and the history rebuilt from a tracker.

A resumed conversation is replayed from Rasa's tracker store, so it survives page
reloads and server restarts without any store of its own. Every message carries a
stable id (the user message's id, the bot event's timestamp) so that the widget can
tell which ones it is already showing after a reconnection.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rasa.shared.core.events import BotUttered, Event, UserUttered

from bot.channels.signing import sign_buttons
from sportello.payloads import PayloadSigner


def bot_message_id(timestamp: float | None, text: str) -> str:
    """Same id for a bot message sent live and for its event replayed from the tracker."""
    digest = hashlib.sha256(text.encode()).hexdigest()[:8]
    return f"b-{timestamp or 0:.6f}-{digest}"


def user_message_id(message_id: str | None, timestamp: float | None) -> str:
    return f"u-{message_id}" if message_id else f"u-{timestamp or 0:.6f}"


def _plain_buttons(buttons: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    return [
        {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
        for b in buttons
        if isinstance(b, Mapping) and b.get("title")
    ]


def bot_message(
    text: str | None,
    buttons: Sequence[Mapping[str, Any]] | None,
    timestamp: float | None,
    signer: PayloadSigner,
    sender: str,
) -> dict[str, Any]:
    """A bot message for the widget, with buttons signed for this conversation."""
    text = text or ""
    return {
        "id": bot_message_id(timestamp, text),
        "from": "bot",
        "text": text,
        "buttons": sign_buttons(_plain_buttons(buttons or []), signer, sender),
    }


def user_message(text: str, message_id: str) -> dict[str, Any]:
    return {"id": message_id, "from": "user", "text": text}


def _event_buttons(event: BotUttered) -> list[Mapping[str, Any]]:
    data = event.data or {}
    buttons = data.get("buttons") or data.get("quick_replies") or []
    return [b for b in buttons if isinstance(b, Mapping)]


def history(events: Iterable[Event], signer: PayloadSigner, sender: str, limit: int) -> list[dict[str, Any]]:
    """What the user saw in this conversation: their texts, the bot's texts and buttons.

    A pressed button reached Rasa as its payload (typed text never starts with "/",
    the guard strips it), so it is shown with the title of the button, as the widget
    did when it was pressed; a payload no button offered is not shown at all.
    """
    messages: list[dict[str, Any]] = []
    button_titles: dict[str, str] = {}  # signed payload -> title of the latest button offering it
    for event in events:
        if isinstance(event, BotUttered):
            buttons = _event_buttons(event)
            if not event.text and not buttons:
                continue
            message = bot_message(event.text, buttons, event.timestamp, signer, sender)
            button_titles.update({b["payload"]: b["title"] for b in message["buttons"]})
            messages.append(message)
        elif isinstance(event, UserUttered):
            text = (event.text or "").strip()
            if text.startswith("/"):
                title = button_titles.get(signer.sign(text, sender))
                if title is None:
                    continue
                text = title
            if text:
                messages.append(user_message(text, user_message_id(event.message_id, event.timestamp)))
    return messages[-limit:]
