"""The registry is the one list of SPORTELLO_* variables: code reads nothing else, and the
README's table, the app environment's settings classes and the registry agree."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from pydantic_settings import BaseSettings

from api.settings import Settings
from connectors.telegram.settings import TelegramSettings
from sportello.config import readme
from sportello.config.registry import ACTIONS, API, BY_NAME, RASA, TELEGRAM, VARIABLES, read_by
from sportello.paths import REPO_ROOT

NAME = re.compile(r"SPORTELLO_[A-Z0-9_]*[A-Z0-9]")
CODE_SUFFIXES = {".py", ".yml", ".yaml", ".sh", ".js", ".html", ".toml", ".cfg", ".ini"}
CODE_NAMES = {"Makefile", "run"}
REGISTRY = Path("sportello/config/registry.py")


def _code_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [
        Path(p)
        for p in listed
        if (Path(p).suffix in CODE_SUFFIXES or Path(p).name in CODE_NAMES) and (REPO_ROOT / p).is_file()
    ]


def _names_in(paths: list[Path]) -> dict[str, set[Path]]:
    found: dict[str, set[Path]] = {}
    for path in paths:
        for name in NAME.findall((REPO_ROOT / path).read_text(encoding="utf-8", errors="replace")):
            found.setdefault(name, set()).add(path)
    return found


def _fields(*classes: type[BaseSettings]) -> set[str]:
    return {f"SPORTELLO_{name.upper()}" for cls in classes for name in cls.model_fields}


def test_code_reads_no_variable_the_registry_does_not_list() -> None:
    unknown = {name: sorted(map(str, paths)) for name, paths in _names_in(_code_files()).items() if name not in BY_NAME}
    assert unknown == {}, "aggiungi queste variabili a sportello/config/registry.py"


def test_every_listed_variable_is_read_somewhere() -> None:
    used = _names_in([p for p in _code_files() if p != REGISTRY])
    # A variable read through a settings class appears in no literal: the per-process tests
    # (here and in tests/bot/test_settings_registry.py) prove each process's classes read it.
    through_settings = set(read_by(API) + read_by(TELEGRAM) + read_by(ACTIONS) + read_by(RASA))
    unused = [v.name for v in VARIABLES if v.name not in used and v not in through_settings]
    assert unused == []


@pytest.mark.parametrize(("process", "classes"), [(API, (Settings,)), (TELEGRAM, (TelegramSettings,))])
def test_each_app_process_reads_exactly_its_registered_variables(
    process: str, classes: tuple[type[BaseSettings], ...]
) -> None:
    assert _fields(*classes) == {v.name for v in read_by(process)}


def test_settings_defaults_are_the_registry_defaults() -> None:
    for cls in (Settings, TelegramSettings):
        for name, info in cls.model_fields.items():
            var = BY_NAME[f"SPORTELLO_{name.upper()}"]
            if var.default not in (None, "") and not isinstance(info.default, Path):
                assert info.default == var.default, var.name


def test_the_readme_table_is_generated_from_the_registry() -> None:
    assert readme.is_current(), "esegui `make docs-config`"
    text = readme.README.read_text(encoding="utf-8")
    for var in VARIABLES:
        assert f"| `{var.name}` |" in text


def test_the_table_is_rewritten_between_its_markers(tmp_path: Path) -> None:
    page = tmp_path / "README.md"
    page.write_text(f"# Titolo\n\n{readme.BEGIN}\n| vecchia |\n{readme.END}\n\nFine.\n", encoding="utf-8")
    assert readme.write(page) is True
    text = page.read_text(encoding="utf-8")
    assert text.startswith("# Titolo\n\n") and text.endswith("\n\nFine.\n")
    assert "| vecchia |" not in text and "`SPORTELLO_ENV`" in text
    assert readme.write(page) is False
    assert readme.is_current(page)


def test_a_readme_without_markers_is_an_error(tmp_path: Path) -> None:
    page = tmp_path / "README.md"
    page.write_text("niente tabella\n", encoding="utf-8")
    with pytest.raises(ValueError, match="marcatori"):
        readme.write(page)
