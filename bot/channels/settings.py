"""Channel settings, read once from `SPORTELLO_*` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseSettings, Field

from sportello.var_secrets import persistent_secret

REPO_ROOT = Path(__file__).resolve().parents[2]


class ChannelSettings(BaseSettings):
    max_message_chars: int = Field(default=1000, ge=10, le=20_000)
    # Signs button payloads so that only buttons the bot offered can trigger an
    # intent directly. Without it, a key is generated once under var_dir.
    button_secret: str | None = None
    var_dir: Path = REPO_ROOT / ".var"

    class Config:
        env_prefix = "SPORTELLO_"


@lru_cache(maxsize=1)
def get_settings() -> ChannelSettings:
    return ChannelSettings()


def button_secret(settings: ChannelSettings | None = None) -> bytes:
    settings = settings or get_settings()
    if settings.button_secret:
        return settings.button_secret.encode()
    return persistent_secret(settings.var_dir, "button_secret").encode()
