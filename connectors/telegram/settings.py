"""Bridge settings, read once from `SPORTELLO_*` environment variables.

Defaults come from the registry (sportello/config/registry.py); secrets that are not
set are the ones generated once in the var dir, by the same rules as in every other
process, so the bridge, the Rasa server and the API agree without any configuration.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from sportello import config
from sportello.config.registry import TELEGRAM, default
from sportello.paths import DEFAULT_VAR_DIR

DEDUP_DB_FILE = "telegram_updates.db"
# Telegram accepts only these characters in setWebhook's secret_token.
_WEBHOOK_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_RESERVED_PATHS = ("/health", "/internal")


class TelegramSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SPORTELLO_", extra="ignore")

    # From @BotFather; empty means the bridge cannot start (main() says how to get one).
    telegram_token: SecretStr = SecretStr("")
    # Public https URL Telegram posts updates to; empty means long polling.
    telegram_webhook_url: str = ""
    # Checked on every webhook request; generated into the var dir when empty.
    telegram_webhook_secret: SecretStr = SecretStr("")
    # Root of the Bot API server (tests point it at a local fake).
    telegram_api_base_url: str = str(default("SPORTELLO_TELEGRAM_API_BASE_URL"))
    # The bridge's own HTTP server (health, deliveries, webhook).
    bind_host: str = str(default("SPORTELLO_BIND_HOST"))
    telegram_port: int = Field(default=int(default("SPORTELLO_TELEGRAM_PORT") or 0), ge=0, le=65535)
    # Empty means: the Rasa server on this machine, at its default port.
    rasa_url: str = ""
    rasa_timeout_s: float = Field(default=float(default("SPORTELLO_RASA_TIMEOUT_S") or 0), gt=0, le=300)
    # Empty means: remember seen updates in a SQLite file in the var dir.
    redis_url: str = ""
    var_dir: Path = DEFAULT_VAR_DIR
    env: Literal["development", "production"] = "development"
    # Bearer token for POST /internal/deliver; generated into the var dir when empty.
    service_token: SecretStr = SecretStr("")
    # Signs the /start payload exactly as the Rasa server would sign a button.
    button_secret: SecretStr = SecretStr("")

    @field_validator("telegram_webhook_url")
    @classmethod
    def _https_only(cls, value: str) -> str:
        value = value.strip()
        if value and urlsplit(value).scheme != "https":
            raise ValueError("Telegram accetta solo webhook https://")
        if value and urlsplit(value).path.startswith(_RESERVED_PATHS):
            raise ValueError("il percorso del webhook non può iniziare con /health o /internal")
        return value

    @field_validator("telegram_api_base_url", "rasa_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.strip().rstrip("/")

    @model_validator(mode="after")
    def _embedded_secrets(self) -> TelegramSettings:
        if not self.rasa_url:
            self.rasa_url = config.computed_default("SPORTELLO_RASA_URL", self.var_dir)
        for name in ("service_token", "button_secret"):
            given = getattr(self, name).get_secret_value()
            setattr(self, name, SecretStr(config.secret(f"SPORTELLO_{name.upper()}", given, self.var_dir)))
        secret = self.telegram_webhook_secret.get_secret_value()
        if self.telegram_webhook_url and not secret:
            generated = config.secret("SPORTELLO_TELEGRAM_WEBHOOK_SECRET", None, self.var_dir)
            self.telegram_webhook_secret = SecretStr(generated)
        elif secret and not _WEBHOOK_SECRET_RE.match(secret):
            raise ValueError("SPORTELLO_TELEGRAM_WEBHOOK_SECRET: da 1 a 256 caratteri tra lettere, cifre, _ e -")
        return self

    @property
    def webhook_mode(self) -> bool:
        return bool(self.telegram_webhook_url)

    @property
    def webhook_path(self) -> str:
        """The local route of the webhook: the public URL's path, so a proxy can pass it through."""
        return urlsplit(self.telegram_webhook_url).path or "/"

    @property
    def dedup_db_path(self) -> Path:
        return self.var_dir / DEDUP_DB_FILE


@lru_cache(maxsize=1)
def get_settings() -> TelegramSettings:
    """The environment's settings; in production, refuses unsafe defaults first."""
    config.check([TELEGRAM])
    return TelegramSettings()
