"""Markdown subset → Telegram HTML, and splitting at 4096 characters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.kb.loader import load_knowledge_base
from bot.kb.render import render_answer
from connectors.telegram.formatting import (
    MAX_MESSAGE_CHARS,
    html_to_text,
    render_html,
    to_telegram_html,
    utf16_len,
)
from connectors.telegram.settings import TelegramSettings
from tests.connectors.telegram.conftest import CHAT
from tests.connectors.telegram.fake_rasa import FakeRasa
from tests.connectors.telegram.fake_telegram import FakeTelegram, visible_text


def shown(text: str) -> str:
    return visible_text(render_html(text), "HTML")


@pytest.mark.parametrize(
    "text",
    ["<script>alert(1)</script>", "Tom & Jerry &amp; co.", "_*[]()~`>#+-=|{}.!", "a < b > c", "&lt; non è un tag"],
)
def test_special_characters_arrive_as_written(text: str) -> None:
    assert shown(text) == text


def test_bold_lists_and_links_become_telegram_html() -> None:
    text = "La regola è l'**onnicomprensività**:\n- sanità integrativa;\n- buoni pasto.\nVedi [la circolare](https://www.agenziaentrate.gov.it/c?a=1&b=2)."

    rendered = render_html(text)

    assert rendered == (
        "La regola è l'<b>onnicomprensività</b>:\n• sanità integrativa;\n• buoni pasto.\n"
        'Vedi <a href="https://www.agenziaentrate.gov.it/c?a=1&amp;b=2">la circolare</a>.'
    )
    assert shown(text) == "La regola è l'onnicomprensività:\n• sanità integrativa;\n• buoni pasto.\nVedi la circolare."


def test_markup_inside_bold_and_link_text_is_escaped() -> None:
    assert render_html("**<i>x</i> & y**") == "<b>&lt;i&gt;x&lt;/i&gt; &amp; y</b>"
    assert (
        render_html('[a <b>"x"</b>](https://e.it/"q")')
        == '<a href="https://e.it/&quot;q&quot;">a &lt;b&gt;"x"&lt;/b&gt;</a>'
    )


@pytest.mark.parametrize("url", ["javascript:alert(1)", "/relativo", "ftp://x.it/f"])
def test_links_with_other_schemes_stay_text(url: str) -> None:
    assert shown(f"[clic]({url})") == f"clic ({url})"
    assert "<a" not in render_html(f"[clic]({url})")


def test_unbalanced_markers_stay_literal() -> None:
    assert shown("**non chiuso e [parentesi](senza") == "**non chiuso e [parentesi](senza"


def test_every_knowledge_base_answer_is_valid_telegram_html() -> None:
    for topic in load_knowledge_base().topics:
        (chunk,) = to_telegram_html(render_answer(topic))
        assert "**" not in visible_text(chunk, "HTML"), topic.id


def _paragraph(n: int, size: int) -> str:
    return f"P{n} " + "parola " * (size // 7)


def test_short_text_is_one_message() -> None:
    assert to_telegram_html("ciao\n\nsecondo paragrafo") == ["ciao\n\nsecondo paragrafo"]


def test_long_text_is_split_at_paragraph_boundaries() -> None:
    paragraphs = [_paragraph(n, 1500) for n in range(6)]

    chunks = to_telegram_html("\n\n".join(paragraphs))

    assert len(chunks) == 3
    assert all(utf16_len(c) <= MAX_MESSAGE_CHARS for c in chunks)
    # No paragraph is cut: every chunk is whole paragraphs.
    assert [p for c in chunks for p in c.split("\n\n")] == [p.strip() for p in paragraphs]


def test_a_huge_paragraph_is_split_at_lines_then_words() -> None:
    lines = [f"riga {n} " + "x" * 900 for n in range(10)]
    one_line = " ".join(["parola"] * 2000)

    by_lines = to_telegram_html("\n".join(lines))
    by_words = to_telegram_html(one_line)

    assert all(utf16_len(c) <= MAX_MESSAGE_CHARS for c in by_lines + by_words)
    assert [line for c in by_lines for line in c.split("\n")] == lines
    assert " ".join(by_words) == one_line
    assert len(by_words) == 4  # 13,999 characters


def test_escaping_counts_towards_the_limit_and_a_giant_word_is_cut() -> None:
    ampersands = "&" * 5000  # 25,000 characters once escaped
    emoji = "🙂" * 3000  # two UTF-16 units each, as Telegram counts

    for chunks, original in ((to_telegram_html(ampersands), ampersands), (to_telegram_html(emoji), emoji)):
        assert all(utf16_len(c) <= MAX_MESSAGE_CHARS for c in chunks)
        assert "".join(visible_text(c, "HTML") for c in chunks) == original


def test_plain_text_fallback_is_what_the_user_would_read() -> None:
    text = "**a** <b> & [sito](https://e.it/?x=1&y=2)\n\n- c"
    (chunk,) = to_telegram_html(text)
    assert html_to_text(chunk) == visible_text(chunk, "HTML") == "a <b> & sito\n\n• c"


async def test_a_long_answer_reaches_telegram_in_parts_with_the_buttons_on_the_last(
    telegram: FakeTelegram,
    rasa: FakeRasa,
    start_bridge: Callable[..., Any],
    make_settings: Callable[..., TelegramSettings],
) -> None:
    answer = "\n\n".join(f"**Punto {n}**: " + "dettaglio <importante> & utile " * 30 + "." for n in range(8))
    rasa.responder = lambda sender, message: rasa.with_buttons(sender, answer, [("👍 Utile", "/feedback_positive")])
    await start_bridge(make_settings(), chat_burst=10)

    await telegram.push(telegram.message_update(CHAT, "dimmi tutto"))
    await telegram.wait_until(lambda: any(p.get("reply_markup") for p in telegram.sent(chat_id=CHAT)))

    parts = telegram.sent(chat_id=CHAT)
    assert len(parts) == 3  # escaped, each paragraph is ~1,300 characters: three fit in a message
    assert telegram.sent(failed=True) == []  # Telegram accepted every part
    assert [bool(p.get("reply_markup")) for p in parts] == [False, False, True]
    assert "\n\n".join(p["shown_text"] for p in parts) == answer.replace("**", "")
