"""Our markdown subset rendered as Telegram HTML, split into messages Telegram accepts.

The bot writes `**bold**`, `- ` list items and `[text](url)`. Telegram's HTML
parse mode is the safest target: everything else is escaped, so text such as
"<script>", "&" or "_*[]" arrives as written instead of breaking the message
(MarkdownV2 would need every one of 18 characters escaped, and fails on any miss).

Telegram refuses messages over 4096 characters, so long answers are split at
paragraph boundaries, then lines, then words. Lengths are counted on the rendered
HTML in UTF-16 units (how Telegram counts), which is never less than what Telegram
measures after parsing the tags.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from urllib.parse import urlsplit

MAX_MESSAGE_CHARS = 4096
_INLINE_RE = re.compile(r"\*\*(?P<bold>[^\n]+?)\*\*|\[(?P<label>[^\]\n]+)\]\((?P<url>[^)\s]+)\)")
_LIST_ITEM_RE = re.compile(r"^(?P<indent>\s*)[-*] (?P<item>.*)$")
_PARAGRAPH_BREAK_RE = re.compile(r"\n[ \t]*\n+")
_LINK_SCHEMES = {"http", "https", "mailto", "tg"}
# Only our own tags can occur in rendered text: everything else was escaped.
_TAG_RE = re.compile(r"</?(?:b|a)(?: [^>]*)?>")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def _link(label: str, url: str) -> str:
    if urlsplit(url).scheme.lower() not in _LINK_SCHEMES:
        # A relative or script link would be refused (or worse): show it as text.
        return _escape(f"{label} ({url})")
    return f'<a href="{html.escape(url, quote=True)}">{_escape(label)}</a>'


def _render_inline(text: str, *, in_bold: bool = False) -> str:
    out: list[str] = []
    position = 0
    for match in _INLINE_RE.finditer(text):
        out.append(_escape(text[position : match.start()]))
        if match["bold"] is not None and not in_bold:
            out.append(f"<b>{_render_inline(match['bold'], in_bold=True)}</b>")
        elif match["bold"] is not None:
            out.append(_escape(match.group(0)))
        else:
            out.append(_link(match["label"], match["url"]))
        position = match.end()
    out.append(_escape(text[position:]))
    return "".join(out)


def render_line(line: str) -> str:
    item = _LIST_ITEM_RE.match(line)
    if item:
        return f"{item['indent']}• {_render_inline(item['item'])}"
    return _render_inline(line)


def render_html(text: str) -> str:
    """The whole text as Telegram HTML (no length limit applied)."""
    return "\n".join(render_line(line) for line in text.split("\n"))


def _pack(pieces: list[str], separator: str, limit: int) -> list[str]:
    """Greedily join rendered pieces while they fit; every piece must already fit."""
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}{separator}{piece}" if current else piece
        if utf16_len(candidate) <= limit:
            current = candidate
        else:
            if current:
                chunks.append(current)
            current = piece
    if current:
        chunks.append(current)
    return chunks


def _hard_split(text: str, render: Callable[[str], str], limit: int) -> list[str]:
    """Last resort for a single huge word: cut it so each rendered piece fits."""
    pieces: list[str] = []
    current = ""
    for char in text:
        if current and utf16_len(render(current + char)) > limit:
            pieces.append(render(current))
            current = ""
        current += char
    if current:
        pieces.append(render(current))
    return pieces


def _split_line(line: str, render: Callable[[str], str], limit: int) -> list[str]:
    rendered = render(line)
    if utf16_len(rendered) <= limit:
        return [rendered]
    pieces: list[str] = []
    for word in line.split(" "):
        rendered_word = render(word)
        pieces.extend([rendered_word] if utf16_len(rendered_word) <= limit else _hard_split(word, render, limit))
    return _pack(pieces, " ", limit)


def _split_paragraph(paragraph: str, render: Callable[[str], str], limit: int) -> list[str]:
    rendered = "\n".join(render(line) for line in paragraph.split("\n"))
    if utf16_len(rendered) <= limit:
        return [rendered]
    pieces = [piece for line in paragraph.split("\n") for piece in _split_line(line, render, limit)]
    return _pack(pieces, "\n", limit)


def split_rendered(text: str, render: Callable[[str], str], limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """`text` rendered line by line with `render`, in chunks of at most `limit` UTF-16 units."""
    paragraphs = [p.strip("\n").rstrip() for p in _PARAGRAPH_BREAK_RE.split(text.strip())]
    pieces = [piece for p in paragraphs if p.strip() for piece in _split_paragraph(p, render, limit)]
    return _pack(pieces, "\n\n", limit)


def to_telegram_html(text: str, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Chunks of Telegram HTML (parse_mode="HTML") for one bot message."""
    return split_rendered(text, render_line, limit)


def html_to_text(rendered: str) -> str:
    """What the user would read, for sending without a parse mode if Telegram ever refuses our HTML."""
    return html.unescape(_TAG_RE.sub("", rendered))
