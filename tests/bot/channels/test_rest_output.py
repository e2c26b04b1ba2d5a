from __future__ import annotations

from bot.channels.rest import SigningOutputChannel
from sportello.payloads import PayloadSigner

SIGNER = PayloadSigner(b"chiave-di-prova-lunga-abbastanza")


async def test_buttons_leave_the_server_signed_for_their_recipient() -> None:
    output = SigningOutputChannel(SIGNER)
    buttons = [{"title": "👍 Utile", "payload": "/feedback_positive"}, {"title": "Sito", "payload": "https://x.it"}]
    await output.send_text_with_buttons("utente-1", "Ti è stata utile?", buttons)
    (message,) = output.messages
    signed = message["buttons"][0]["payload"]
    assert signed != "/feedback_positive" and SIGNER.verify(signed, "utente-1") == "/feedback_positive"
    assert message["buttons"][1] == {"title": "Sito", "payload": "https://x.it"}
    assert buttons[0]["payload"] == "/feedback_positive"  # the caller's list is not modified


async def test_plain_text_passes_unchanged() -> None:
    output = SigningOutputChannel(SIGNER)
    await output.send_text_message("utente-1", "Ciao")
    assert output.messages == [{"recipient_id": "utente-1", "text": "Ciao"}]


async def test_paragraphs_stay_in_one_message() -> None:
    output = SigningOutputChannel(SIGNER)
    await output.send_text_message("utente-1", "Ciao!\n\nPrivacy: ...\n\nScrivi pure.")
    assert output.messages == [{"recipient_id": "utente-1", "text": "Ciao!\n\nPrivacy: ...\n\nScrivi pure."}]
