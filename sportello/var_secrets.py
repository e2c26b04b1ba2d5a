"""Secrets generated once and kept in the var dir (the embedded default, no configuration).

Every process that needs one (the launcher, the Rasa channels, the action server, the
API, the Telegram bridge) reads the same file, so they agree without any setting.

A new secret is written to a private temporary file and renamed into place, so a
reader sees either no file or the whole secret, never an empty or half-written one.
Creation is serialised by an advisory lock, so two processes starting at the same
moment end up with the same secret. A file left empty (by a crash of an older
version, or a full disk) counts as missing and is replaced.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path

SECRET_BYTES = 32  # 43 URL-safe characters, above the 32 that production requires
LOCK_FILE = ".secrets.lock"


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return ""


@contextlib.contextmanager
def _locked(var_dir: Path) -> Iterator[None]:
    fd = os.open(var_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _write_atomically(path: Path, value: str) -> None:
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # created 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(value)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def persistent_secret(var_dir: Path, file_name: str) -> str:
    """The secret in `var_dir/file_name`, created on first use."""
    path = var_dir / file_name
    value = _read(path)
    if value:
        return value
    var_dir.mkdir(parents=True, exist_ok=True)
    with _locked(var_dir):
        value = _read(path)  # another process may have created it while we waited
        if not value:
            value = secrets.token_urlsafe(SECRET_BYTES)
            _write_atomically(path, value)
    return value
