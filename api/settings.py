"""API settings, read once from `SPORTELLO_*` environment variables.

Names, defaults and meanings come from the registry (sportello/config/registry.py);
what is left empty is resolved by the same rules as in every other process: the SQLite
database and the service token live in the var dir.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from sportello import config
from sportello.config.registry import API, default
from sportello.config.resolve import LOCALHOST
from sportello.paths import DEFAULT_VAR_DIR


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SPORTELLO_", extra="ignore")

    env: Literal["development", "production"] = "development"
    var_dir: Path = DEFAULT_VAR_DIR
    # Empty means `sqlite:///<var_dir>/sportello.db`.
    database_url: str = ""
    # Empty means: read (or generate once) `<var_dir>/service_token`.
    service_token: SecretStr = SecretStr("")
    # Public address of the Rasa server for the widget's demo page; empty means the
    # host the page was requested from, on the Rasa port.
    webchat_server_url: str = str(default("SPORTELLO_WEBCHAT_SERVER_URL"))
    rasa_port: int = Field(default=int(default("SPORTELLO_RASA_PORT") or 0), ge=1, le=65535)
    # The Rasa server, as the API calls it to deliver operators' messages (api/takeover/);
    # empty means http://127.0.0.1:<SPORTELLO_RASA_PORT>.
    rasa_url: str = ""
    rasa_timeout_s: float = Field(default=float(default("SPORTELLO_RASA_TIMEOUT_S") or 0), gt=0, le=120)
    # The operators' console (api/console/): session lifetimes and the login rate limit.
    console_idle_minutes: int = Field(default=int(default("SPORTELLO_CONSOLE_IDLE_MINUTES") or 0), ge=1, le=24 * 60)
    console_session_hours: int = Field(default=int(default("SPORTELLO_CONSOLE_SESSION_HOURS") or 0), ge=1, le=24 * 7)
    console_login_max_failures: int = Field(
        default=int(default("SPORTELLO_CONSOLE_LOGIN_MAX_FAILURES") or 0), ge=1, le=1000
    )
    console_login_window_minutes: int = Field(
        default=int(default("SPORTELLO_CONSOLE_LOGIN_WINDOW_MINUTES") or 0), ge=1, le=24 * 60
    )

    # Monitoring (api/monitoring/): the pseudonyms' key (empty: generated once in the var
    # dir, never in the database), the review inbox's threshold, and the RabbitMQ path.
    monitoring_key: SecretStr = SecretStr("")
    review_low_confidence: float = Field(default=float(default("SPORTELLO_REVIEW_LOW_CONFIDENCE") or 0), ge=0, le=1)
    rabbitmq_url: str = str(default("SPORTELLO_RABBITMQ_URL"))
    rabbitmq_queue: str = Field(default=str(default("SPORTELLO_RABBITMQ_QUEUE")), min_length=1, max_length=255)
    # Retention (api/monitoring/retention.py); the tracker store is Rasa's (empty: the
    # embedded SQLite file in the var dir).
    retention_days: int = Field(default=int(default("SPORTELLO_RETENTION_DAYS") or 0), ge=1, le=36500)
    ticket_retention_days: int = Field(default=int(default("SPORTELLO_TICKET_RETENTION_DAYS") or 0), ge=1, le=36500)
    tracker_url: str = ""

    @model_validator(mode="after")
    def _embedded_defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = config.computed_default("SPORTELLO_DATABASE_URL", self.var_dir)
        self.rasa_url = (self.rasa_url or f"http://{LOCALHOST}:{self.rasa_port}").rstrip("/")
        token = self.service_token.get_secret_value()
        self.service_token = SecretStr(config.secret("SPORTELLO_SERVICE_TOKEN", token, self.var_dir))
        if not self.tracker_url:
            self.tracker_url = config.computed_default("SPORTELLO_TRACKER_URL", self.var_dir)
        key = self.monitoring_key.get_secret_value()
        self.monitoring_key = SecretStr(config.secret("SPORTELLO_MONITORING_KEY", key, self.var_dir))
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The environment's settings; in production, refuses unsafe defaults first."""
    config.check([API])
    return Settings()
