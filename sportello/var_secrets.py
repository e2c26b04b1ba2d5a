"""Secrets generated once and kept in the var dir (the embedded default, no configuration).

Every process that needs one (the launcher, the Rasa channels, the API, the Telegram
bridge) reads the same file, so they agree without any setting. The file is created
atomically with owner-only permissions: two processes starting together get the same
secret, and it is never readable by others, not even for an instant.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def persistent_secret(var_dir: Path, file_name: str) -> str:
    """The secret in `var_dir/file_name`, created on first use."""
    path = var_dir / file_name
    var_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_urlsafe(32))
    value = path.read_text().strip()
    if not value:
        raise ValueError(f"{path}: file del segreto vuoto; cancellalo per generarne uno nuovo")
    return value
