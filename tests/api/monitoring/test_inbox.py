"""The review inbox's grouping: near-duplicates together, different questions apart."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from api.monitoring.review.inbox import Message, features, group_messages, normalise

T0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)


def _messages(*texts: str) -> list[Message]:
    return [Message(n, T0 + timedelta(minutes=n), text, ("not_understood",), None) for n, text in enumerate(texts)]


def test_case_accents_and_punctuation_do_not_matter() -> None:
    assert normalise("Perché il WELFARE, è tassato?") == normalise("perche il welfare e tassato")


def test_near_duplicates_go_together_and_the_largest_group_comes_first() -> None:
    groups = group_messages(
        _messages(
            "posso pagare il veterinario col welfare?",
            "quando scade il bando regionale per le imprese",
            "Posso pagare il veterinario con il welfare",
            "veterinario pagato con il welfare aziendale?",
            "il bando regionale per le imprese quando scade?",
            "buoni carburante per i dipendenti",
        )
    )
    assert [sorted(g.turn_ids) for g in groups] == [[0, 2, 3], [1, 4], [5]]
    assert groups[0].representative in groups[0].texts


def test_typos_and_word_order_still_group() -> None:
    groups = group_messages(_messages("fringe benifit 2026 soglia", "soglia fringe benefit 2026"))
    assert len(groups) == 1


def test_different_questions_sharing_common_words_stay_apart() -> None:
    groups = group_messages(_messages("quanto vale il premio di risultato?", "quanto vale il buono pasto elettronico?"))
    assert len(groups) == 2


def test_identical_messages_are_counted_in_one_group() -> None:
    groups = group_messages(_messages(*["non capisco la busta paga"] * 4, "busta paga"))
    assert groups[0].size >= 4 and groups[0].texts["non capisco la busta paga"] == 4


def test_stop_words_do_not_make_questions_similar() -> None:
    assert features(normalise("come posso fare per il welfare")) == features(normalise("welfare fare"))


def test_a_group_keeps_reasons_and_the_topic_the_assistant_thought_of() -> None:
    messages = [
        Message(1, T0, "veterinario welfare", ("not_understood",), "welfare_cose"),
        Message(2, T0, "veterinario nel welfare", ("down_vote", "low_confidence"), "welfare_cose"),
        Message(3, T0, "il veterinario e il welfare", ("not_understood",), "spese_mediche"),
    ]
    (group,) = group_messages(messages)
    assert group.reasons == {"not_understood": 2, "down_vote": 1, "low_confidence": 1}
    assert group.suggested_topic == "welfare_cose"
