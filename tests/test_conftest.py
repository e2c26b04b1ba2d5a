"""tests/conftest.py: in CI a skip is a failure, at run time and at collection time."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]
CONFTEST = Path(__file__).with_name("conftest.py")

SKIPPING = """
import pytest

def test_runs() -> None:
    assert True

def test_skips_while_running() -> None:
    pytest.skip("manca Chromium")
"""
SKIPPING_MODULE = """
import pytest

pytest.skip("manca PostgreSQL", allow_module_level=True)

def test_never_collected() -> None:
    assert True
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(CONFTEST.read_text(encoding="utf-8"))
    pytester.makepyfile(test_skipping=SKIPPING, test_skipping_module=SKIPPING_MODULE)
    return pytester


@pytest.mark.parametrize("ci", ["1", "true"])
def test_in_ci_every_skip_fails(project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ci: str) -> None:
    monkeypatch.setenv("CI", ci)
    # A collection error stops a run by default; this flag lets both kinds show at once.
    result = project.runpytest("-p", "no:cacheprovider", "--continue-on-collection-errors")
    assert result.ret != 0
    result.assert_outcomes(passed=1, failed=1, errors=1)
    result.stdout.fnmatch_lines(["*In CI nessun test può essere saltato*manca Chromium*"])
    result.stdout.fnmatch_lines(["*In CI nessun modulo di test può essere saltato*manca PostgreSQL*"])


@pytest.mark.parametrize("ci", [None, "0", ""])
def test_locally_a_skip_stays_a_skip(project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ci: str | None) -> None:
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    result = project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, skipped=2)
