"""The transcript an operator reads: turns with intent, confidence and topic; no identifiers."""

from __future__ import annotations

from bot.actions.escalation.transcript import transcript


def _user(text: str, intent: str, confidence: float, topic: str | None = None) -> dict[str, object]:
    selector = {"faq": {"response": {"intent_response_key": f"faq/{topic}"}}} if topic else {}
    return {
        "event": "user",
        "text": text,
        "timestamp": 1_790_000_000.0,
        "parse_data": {"intent": {"name": intent, "confidence": confidence}, "response_selector": selector},
    }


def test_turns_in_order_with_what_the_assistant_understood() -> None:
    events = [
        {"event": "action", "name": "action_listen"},
        _user("buoni pasto 2026", "faq", 0.91, "buoni_pasto"),
        {"event": "bot", "text": "I buoni pasto…", "timestamp": 1_790_000_001.0},
        _user("/human_handoff", "human_handoff", 1.0),
        {"event": "bot", "text": "", "timestamp": 1_790_000_002.0},
        {"event": "bot", "text": "Ciao, sono Luca", "metadata": {"operator": True}, "timestamp": 1_790_000_003.0},
    ]
    turns = transcript(events)
    assert [(t["who"], t["text"]) for t in turns] == [
        ("user", "buoni pasto 2026"),
        ("bot", "I buoni pasto…"),
        ("user", "(pulsante: human_handoff)"),
        ("operator", "Ciao, sono Luca"),
    ]
    assert turns[0]["intent"] == "faq" and turns[0]["confidence"] == 0.91 and turns[0]["topic"] == "buoni_pasto"
    assert turns[0]["at"].startswith("2026-")


def test_codice_fiscale_and_iban_do_not_reach_the_ticket() -> None:
    (turn,) = transcript([_user("il mio cf è RSSMRA85T10A562S", "faq", 0.2)])
    assert turn["text"] == "il mio cf è [codice fiscale rimosso]"


def test_only_the_last_turns_are_kept() -> None:
    events = [{"event": "bot", "text": f"messaggio {i}", "timestamp": 1.0} for i in range(150)]
    turns = transcript(events)
    assert len(turns) == 100 and turns[-1]["text"] == "messaggio 149"
