"""Screen what users type before it reaches Rasa.

Every channel passes user text through `screen`: it refuses what cannot be a
question (empty, too long, no letters or digits) with a clear Italian reply,
expands signed button tokens, and strips a leading "/" so that typed text never
selects an intent directly.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sportello.payloads import TOKEN_PREFIX, PayloadSigner
from sportello.replies import FAILURE_REPLY

__all__ = ["FAILURE_REPLY", "Screened", "screen"]

EMPTY_REPLY = "Il messaggio è vuoto: scrivimi la tua domanda sul welfare aziendale. 🙂"
TOO_LONG_REPLY = (
    "Il messaggio è troppo lungo (massimo {limit} caratteri). Prova a riassumere la domanda "
    "in poche righe: risponderò meglio."
)
NO_TEXT_REPLY = (
    "Non riesco a leggere una domanda in questo messaggio. Scrivimi a parole cosa vuoi sapere "
    "sul welfare aziendale, per esempio «come funzionano i buoni pasto?»."
)
NOT_TEXT_REPLY = "Posso leggere solo messaggi di testo. Scrivimi la tua domanda a parole."

_LEADING_COMMAND = re.compile(r"^[\s/\\]+")
# Control and format characters (except newline and tab) are never part of a question.
_KEEP_CONTROL = {"\n", "\t"}


@dataclass(frozen=True)
class Screened:
    text: str | None = None
    reply: str | None = None


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    return "".join(
        c for c in text if c in _KEEP_CONTROL or unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co", "Cn")
    ).strip()


def _has_words(text: str) -> bool:
    return any(unicodedata.category(c)[0] in ("L", "N") for c in text)


def screen(raw: object, sender_id: str, signer: PayloadSigner, max_chars: int) -> Screened:
    if not isinstance(raw, str):
        return Screened(reply=NOT_TEXT_REPLY)
    if len(raw) > max_chars * 4:
        # Do not even normalise a huge payload.
        return Screened(reply=TOO_LONG_REPLY.format(limit=max_chars))
    text = _clean(raw)
    if not text:
        return Screened(reply=EMPTY_REPLY)
    if len(text) > max_chars:
        return Screened(reply=TOO_LONG_REPLY.format(limit=max_chars))
    if text.startswith(TOKEN_PREFIX):
        payload = signer.verify(text, sender_id)
        if payload is not None:
            return Screened(text=payload)
    text = _LEADING_COMMAND.sub("", text)
    if not _has_words(text):
        return Screened(reply=NO_TEXT_REPLY)
    return Screened(text=text)
