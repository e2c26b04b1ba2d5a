"""Texts every channel shows the user in the same words, whichever process sends them."""

from __future__ import annotations

# Every channel's answer when the assistant itself fails (Rasa down, an error).
FAILURE_REPLY = (
    "Scusa, in questo momento ho un problema tecnico e non riesco a risponderti. Riprova tra qualche minuto."
)
