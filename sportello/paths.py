"""Where the repository and its embedded data live, for every process of both environments."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
# The embedded default for SPORTELLO_VAR_DIR: SQLite files and generated secrets (git-ignored).
DEFAULT_VAR_DIR = REPO_ROOT / ".var"
DEFAULT_MODEL = REPO_ROOT / "models" / "sportello.tar.gz"
