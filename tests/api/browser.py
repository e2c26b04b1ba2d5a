"""Debian's Chromium as the browser tests launch it (Playwright never downloads its own),
and axe-core's accessibility check for any page those tests open."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# As root in a sandbox with no network: no sandbox, no GPU, and none of the background
# connections Chromium would otherwise try (and retry) at every start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

# Vendored (tests/vendor/README.md says where from and how to update): no network.
AXE_VERSION = "4.14.1"
AXE_JS = Path(__file__).resolve().parents[1] / "vendor" / f"axe-core-{AXE_VERSION}" / "axe.min.js"
# WCAG 2.1 A and AA (with the 2.0 rules they include) and Deque's best practices.
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice")

_RUN_AXE = """async (tags) => {
    const results = await window.axe.run(document, {
        runOnly: { type: 'tag', values: tags },
        resultTypes: ['violations'],
    });
    return results.violations.map((v) => ({
        rule: v.id,
        impact: v.impact || 'unknown',
        help: v.help,
        nodes: v.nodes.map((n) => ({
            // Inside a shadow root a target is a list: the host's selector, then the element's.
            target: n.target.map((t) => (Array.isArray(t) ? t.join(' >> ') : t)).join(' | '),
            html: n.html.replace(/\\s+/g, ' ').slice(0, 120),
        })),
    }));
}"""


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium for one test module, closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str
    help: str
    # (CSS selector, start of the element's HTML) of every element at fault
    nodes: tuple[tuple[str, str], ...]

    def __str__(self) -> str:
        lines = [f"- {self.rule} ({self.impact}): {self.help}"]
        lines += [f"    {target}    {html}" for target, html in self.nodes]
        return "\n".join(lines)


@lru_cache(maxsize=1)
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(page: Any) -> list[Violation]:
    """What axe-core finds wrong on the page as it is now (Playwright page, any origin)."""
    if not page.evaluate("() => typeof window.axe?.run === 'function'"):
        # Evaluated by the DevTools protocol, not as a <script>: the page's
        # Content-Security-Policy stays as strict as users get it.
        page.evaluate(_axe_source())
    found = page.evaluate(_RUN_AXE, list(AXE_TAGS))
    return [
        Violation(v["rule"], v["impact"], v["help"], tuple((n["target"], n["html"]) for n in v["nodes"])) for v in found
    ]


def assert_accessible(page: Any, where: str) -> None:
    """Fail with every violation (rule, impact, elements) unless axe-core finds none."""
    violations = axe_violations(page)
    if violations:
        details = "\n".join(str(v) for v in violations)
        pytest.fail(f"axe-core {AXE_VERSION}, {where}: {len(violations)} violazioni\n{details}", pytrace=False)
