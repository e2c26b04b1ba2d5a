"""Web chat settings, read once from `SPORTELLO_*` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseSettings, Field

from bot.channels.settings import REPO_ROOT
from sportello.var_secrets import persistent_secret

SERVICE_TOKEN_FILE = "service_token"


class WebchatSettings(BaseSettings):
    # Comma-separated origins allowed to open the socket, "*" for any. The resume
    # token, not the page's origin, is what grants access to a conversation, so any
    # site may embed the widget by default. An empty value turns python-socketio's CORS
    # handling off (only for `rasa run --cors ...`, which would add the headers twice).
    webchat_allowed_origins: str = "*"
    # How many messages the widget gets back when it resumes a conversation.
    webchat_history_limit: int = Field(default=200, ge=1, le=2000)
    # Authenticates POST /webhooks/webchat/push (same token the API uses). Without it,
    # the token generated once in var_dir (as scripts/run_all.py does) is used.
    service_token: str | None = None
    var_dir: Path = REPO_ROOT / ".var"

    class Config:
        env_prefix = "SPORTELLO_"

    def allowed_origins(self) -> str | list[str]:
        value = self.webchat_allowed_origins.strip()
        if value == "*":
            return "*"
        return [origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()]


@lru_cache(maxsize=1)
def get_webchat_settings() -> WebchatSettings:
    return WebchatSettings()


def service_token(settings: WebchatSettings | None = None) -> str:
    """The service token from the environment, else the one kept (or generated once) in var_dir."""
    settings = settings or get_webchat_settings()
    if settings.service_token:
        return settings.service_token
    return persistent_secret(settings.var_dir, SERVICE_TOKEN_FILE)
