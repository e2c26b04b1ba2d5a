"""Shared by both environments' test runs.

Locally a test may skip when a prerequisite is missing (no trained model, no
Chromium, PostgreSQL down) and says what to do. In CI everything is installed on
purpose, so a skip there would hide a broken setup: it counts as a failure.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from typing import Any

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"In CI nessun test può essere saltato: {reason}"
