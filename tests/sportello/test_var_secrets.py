from __future__ import annotations

import multiprocessing
import stat
from pathlib import Path

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


def test_an_empty_file_left_by_a_crash_counts_as_missing(tmp_path: Path) -> None:
    (tmp_path / "button_secret").write_text("  \n")
    secret = persistent_secret(tmp_path, "button_secret")
    assert len(secret) >= 40
    assert (tmp_path / "button_secret").read_text() == secret
    assert stat.S_IMODE((tmp_path / "button_secret").stat().st_mode) == 0o600


def test_no_temporary_file_is_left_behind(tmp_path: Path) -> None:
    persistent_secret(tmp_path, "service_token")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".secrets.lock", "service_token"]


def _start(args: tuple[str, str, multiprocessing.synchronize.Barrier]) -> str:
    directory, name, barrier = args
    barrier.wait()  # every starter reaches this line before any creates the secret
    return persistent_secret(Path(directory), name)


def test_processes_starting_together_all_get_the_same_complete_secret(tmp_path: Path) -> None:
    starters = 8
    context = multiprocessing.get_context("fork")
    with context.Manager() as manager:
        barrier = manager.Barrier(starters)
        with context.Pool(starters) as pool:
            seen = pool.map(_start, [(str(tmp_path), "service_token", barrier)] * starters)
    assert len(set(seen)) == 1
    assert seen[0] and len(seen[0]) >= 40
    assert (tmp_path / "service_token").read_text() == seen[0]
