"""Button payloads leave the server signed for their conversation, on every channel.

Shared by the REST channel (collected replies), the web chat (live replies, pushed
messages and the history it replays) so that there is one way to sign buttons.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel

from sportello.payloads import PayloadSigner


def sign_buttons(
    buttons: Iterable[Mapping[str, Any]], signer: PayloadSigner, recipient_id: str
) -> list[dict[str, Any]]:
    """Copies of `buttons` whose intent payloads are tokens valid only for `recipient_id`."""
    return [{**b, "payload": signer.sign(str(b.get("payload", "")), recipient_id)} for b in buttons]


class SigningOutputChannel(CollectingOutputChannel):
    """Collects the bot's messages, with button payloads signed for this sender."""

    def __init__(self, signer: PayloadSigner) -> None:
        super().__init__()
        self._signer = signer

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        # Rasa splits texts at blank lines into several messages; our answers and the
        # greeting are written as one message with paragraphs (one bubble, one
        # Telegram notification), so keep them whole.
        await self._persist_message(self._message(recipient_id, text=text.strip()))

    async def _persist_message(self, message: dict[str, Any]) -> None:
        buttons = message.get("buttons")
        if buttons:
            message["buttons"] = sign_buttons(buttons, self._signer, str(message.get("recipient_id", "")))
        await super()._persist_message(message)
