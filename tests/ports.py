"""A free local port as an int, for test servers (the launcher's `free_port` gives a string)."""

from __future__ import annotations

from scripts import run_all


def free_port() -> int:
    return int(run_all.free_port())
