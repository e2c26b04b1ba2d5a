"""Settings of the Rasa server's channels, read once from `SPORTELLO_*` variables.

One class for the Rasa process. Defaults come from the registry
(sportello/config/registry.py); secrets left empty are the ones generated once in the
var dir, exactly as in every other process.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseSettings, Field, root_validator

from sportello import config
from sportello.config.registry import RASA, default
from sportello.paths import DEFAULT_VAR_DIR


class ChannelSettings(BaseSettings):
    env: Literal["development", "production"] = default("SPORTELLO_ENV")  # type: ignore[assignment]
    var_dir: Path = DEFAULT_VAR_DIR
    max_message_chars: int = Field(default=default("SPORTELLO_MAX_MESSAGE_CHARS"), ge=10, le=20_000)
    # Signs button payloads so that only buttons the bot offered can trigger an
    # intent directly; the web chat's session key derives from it. Empty: the key
    # generated once in the var dir.
    button_secret: str = ""
    # Authenticates the bridge channel and the web chat's push route (the token the API
    # uses too). Empty: the token generated once in the var dir.
    service_token: str = ""
    # Comma-separated origins allowed to open the socket, "*" for any. The resume
    # token, not the page's origin, is what grants access to a conversation, so any
    # site may embed the widget by default. An empty value turns python-socketio's CORS
    # handling off (only for `rasa run --cors ...`, which would add the headers twice).
    webchat_allowed_origins: str = default("SPORTELLO_WEBCHAT_ALLOWED_ORIGINS")  # type: ignore[assignment]
    # How many messages the widget gets back when it resumes a conversation.
    webchat_history_limit: int = Field(default=default("SPORTELLO_WEBCHAT_HISTORY_LIMIT"), ge=1, le=2000)
    # How long a resume token is good for. Each resume hands out a fresh one, so only a
    # conversation left alone this long is lost (the user then starts an empty one).
    webchat_token_ttl_hours: float = Field(default=default("SPORTELLO_WEBCHAT_TOKEN_TTL_HOURS"), gt=0, le=8760)
    # Live takeover (ownership.py, operator.py): the API says who answers a conversation,
    # the Telegram bridge delivers operators' replies. Empty: 127.0.0.1 on their ports.
    api_url: str = ""
    telegram_url: str = ""
    api_timeout_s: float = Field(default=default("SPORTELLO_API_TIMEOUT_S"), gt=0, le=30)

    class Config:
        env_prefix = "SPORTELLO_"

    @root_validator(skip_on_failure=True)
    def _embedded_defaults(cls, values: dict[str, Any]) -> dict[str, Any]:
        for name in ("button_secret", "service_token"):
            values[name] = config.secret(f"SPORTELLO_{name.upper()}", values[name], values["var_dir"])
        for name in ("api_url", "telegram_url"):
            variable = f"SPORTELLO_{name.upper()}"
            values[name] = (values[name] or config.computed_default(variable, values["var_dir"])).rstrip("/")
        return values

    def allowed_origins(self) -> str | list[str]:
        value = self.webchat_allowed_origins.strip()
        if value == "*":
            return "*"
        return [origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()]


@lru_cache(maxsize=1)
def get_settings() -> ChannelSettings:
    """The environment's settings; in production, refuses unsafe defaults first."""
    config.check([RASA])
    return ChannelSettings()


def button_secret(settings: ChannelSettings | None = None) -> bytes:
    return (settings or get_settings()).button_secret.encode()


def service_token(settings: ChannelSettings | None = None) -> str:
    return (settings or get_settings()).service_token
