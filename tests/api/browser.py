"""Debian's Chromium as the browser tests launch it (Playwright never downloads its own)."""

from __future__ import annotations

from pathlib import Path

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
