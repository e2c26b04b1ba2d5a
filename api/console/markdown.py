"""The little Markdown the assistant writes (bold, links, bullet lists, paragraphs), as safe HTML.

Answers, operator replies and user messages are shown in the console as the user saw
them. Everything is escaped first; only `**bold**`, `[text](https://…)` links and
"- " lists become markup, so a message can never inject HTML into an operator's page.
"""

from __future__ import annotations

import html
import re

from markupsafe import Markup

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^\s)]+)\)")


def _inline(text: str) -> str:
    escaped = html.escape(text, quote=False)
    escaped = _BOLD.sub(r"<strong>\1</strong>", escaped)
    return _LINK.sub(
        lambda m: f'<a href="{html.escape(m[2], quote=True)}" rel="noopener noreferrer" target="_blank">{m[1]}</a>',
        escaped,
    )


def render_markdown(text: str | None) -> Markup:
    """Paragraphs separated by blank lines; lines starting with "- " make a list."""
    blocks = []
    for block in re.split(r"\n\s*\n", (text or "").strip()):
        lines = [line.rstrip() for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        if all(line.lstrip().startswith("- ") for line in lines):
            items = "".join(f"<li>{_inline(line.lstrip()[2:])}</li>" for line in lines)
            blocks.append(f"<ul>{items}</ul>")
        else:
            blocks.append("<p>" + "<br>".join(_inline(line) for line in lines) + "</p>")
    return Markup("".join(blocks))
