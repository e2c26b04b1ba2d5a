from __future__ import annotations

from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered

from bot.channels.history import bot_message, bot_message_id, history
from sportello.payloads import PayloadSigner

SIGNER = PayloadSigner(b"chiave-di-prova-lunga-abbastanza")
SENDER = "web:abcdefghijklmnopqrstuvwx"
THUMBS = [
    {"title": "👍 Utile", "payload": "/feedback_positive"},
    {"title": "👎 Non utile", "payload": "/feedback_negative"},
]
TOPICS = [
    {"title": "Buoni pasto", "payload": '/faq_select{"faq_topic": "buoni_pasto"}'},
    {"title": "Altro", "payload": "/faq_none"},
]


def _conversation() -> list:
    return [
        ActionExecuted("action_session_start", timestamp=1.0),
        SessionStarted(timestamp=1.0),
        ActionExecuted("action_listen", timestamp=1.0),
        UserUttered("ciao", message_id="m1", timestamp=2.0),
        BotUttered("Ciao! Sono l'assistente.", timestamp=3.0),
        UserUttered("buoni", message_id="m2", timestamp=4.0),
        BotUttered("Quale argomento?", data={"buttons": TOPICS}, timestamp=5.0),
        UserUttered('/faq_select{"faq_topic":"buoni_pasto"}', message_id="m3", timestamp=6.0),
        SlotSet("last_faq_topic", "buoni_pasto", timestamp=6.5),
        BotUttered("Risposta sui buoni pasto.", data={"buttons": THUMBS}, timestamp=7.0),
        UserUttered("/feedback_positive", message_id="m4", timestamp=8.0),
        BotUttered("Grazie del riscontro!", timestamp=9.0),
    ]


def test_history_has_the_user_and_bot_texts_in_order() -> None:
    messages = history(_conversation(), SIGNER, SENDER, limit=100)
    assert [(m["from"], m["text"]) for m in messages] == [
        ("user", "ciao"),
        ("bot", "Ciao! Sono l'assistente."),
        ("user", "buoni"),
        ("bot", "Quale argomento?"),
        ("user", "Buoni pasto"),
        ("bot", "Risposta sui buoni pasto."),
        ("user", "👍 Utile"),
        ("bot", "Grazie del riscontro!"),
    ]


def test_buttons_come_back_signed_for_the_conversation() -> None:
    answer = history(_conversation(), SIGNER, SENDER, limit=100)[5]
    assert [b["title"] for b in answer["buttons"]] == ["👍 Utile", "👎 Non utile"]
    assert SIGNER.verify(answer["buttons"][0]["payload"], SENDER) == "/feedback_positive"
    assert SIGNER.verify(answer["buttons"][0]["payload"], "web:altra-conversazione") is None
    assert all(
        not b["payload"].startswith("/")
        for m in history(_conversation(), SIGNER, SENDER, 100)
        for b in m.get("buttons", [])
    )


def test_messages_keep_the_ids_they_had_when_sent_live() -> None:
    messages = history(_conversation(), SIGNER, SENDER, limit=100)
    assert messages[0]["id"] == "u-m1"
    assert messages[1]["id"] == bot_message_id(3.0, "Ciao! Sono l'assistente.")
    live = bot_message("Risposta sui buoni pasto.", THUMBS, 7.0, SIGNER, SENDER)
    assert messages[5] == live


def test_a_payload_no_button_offered_is_not_shown() -> None:
    events = [
        UserUttered("/human_handoff", message_id="x", timestamp=1.0),
        BotUttered("Ecco i contatti.", timestamp=2.0),
    ]
    assert [m["text"] for m in history(events, SIGNER, SENDER, limit=100)] == ["Ecco i contatti."]


def test_only_the_latest_messages_are_kept() -> None:
    events = [UserUttered(f"domanda {i}", message_id=f"m{i}", timestamp=float(i)) for i in range(10)]
    assert [m["text"] for m in history(events, SIGNER, SENDER, limit=3)] == ["domanda 7", "domanda 8", "domanda 9"]


def test_empty_bot_events_are_skipped() -> None:
    events = [BotUttered(None, timestamp=1.0), BotUttered("", data={"buttons": []}, timestamp=2.0)]
    assert history(events, SIGNER, SENDER, limit=10) == []


def test_an_empty_tracker_has_no_history() -> None:
    assert history([], SIGNER, SENDER, limit=10) == []
