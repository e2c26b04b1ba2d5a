from __future__ import annotations

import stat
from pathlib import Path

import pytest

from sportello.var_secrets import persistent_secret


def test_a_secret_is_generated_once_private_and_then_reused(tmp_path: Path) -> None:
    var_dir = tmp_path / "var" / "nested"
    first = persistent_secret(var_dir, "service_token")
    assert len(first) >= 40
    assert stat.S_IMODE((var_dir / "service_token").stat().st_mode) == 0o600
    assert persistent_secret(var_dir, "service_token") == first
    assert persistent_secret(var_dir, "button_secret") != first


def test_an_existing_secret_is_read_as_it_is(tmp_path: Path) -> None:
    (tmp_path / "button_secret").write_text("segreto-scelto-da-chi-installa\n")
    assert persistent_secret(tmp_path, "button_secret") == "segreto-scelto-da-chi-installa"


def test_an_empty_secret_file_is_an_error_not_an_empty_key(tmp_path: Path) -> None:
    (tmp_path / "button_secret").write_text("")
    with pytest.raises(ValueError, match="vuoto"):
        persistent_secret(tmp_path, "button_secret")
