"""Bridge settings, read once from `SPORTELLO_*` environment variables.

Secrets that are not set are generated once into the var dir, exactly as
`scripts/run_all.py` does, so that the bridge, the Rasa server and the API agree on
them without any configuration.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from sportello.var_secrets import persistent_secret

REPO_ROOT = Path(__file__).resolve().parents[2]
BUTTON_SECRET_FILE = "button_secret"
SERVICE_TOKEN_FILE = "service_token"
WEBHOOK_SECRET_FILE = "telegram_webhook_secret"
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
    telegram_api_base_url: str = "https://api.telegram.org"
    # The bridge's own HTTP server (health, deliveries, webhook) on 127.0.0.1.
    telegram_port: int = Field(default=8081, ge=0, le=65535)
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_timeout_s: float = Field(default=15.0, gt=0, le=300)
    # Empty means: remember seen updates in a SQLite file in the var dir.
    redis_url: str = ""
    var_dir: Path = REPO_ROOT / ".var"
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
        if not self.service_token.get_secret_value():
            self.service_token = SecretStr(persistent_secret(self.var_dir, SERVICE_TOKEN_FILE))
        if not self.button_secret.get_secret_value():
            self.button_secret = SecretStr(persistent_secret(self.var_dir, BUTTON_SECRET_FILE))
        secret = self.telegram_webhook_secret.get_secret_value()
        if self.telegram_webhook_url and not secret:
            self.telegram_webhook_secret = SecretStr(persistent_secret(self.var_dir, WEBHOOK_SECRET_FILE))
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
    return TelegramSettings()
