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

    @model_validator(mode="after")
    def _embedded_defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = config.computed_default("SPORTELLO_DATABASE_URL", self.var_dir)
        token = self.service_token.get_secret_value()
        self.service_token = SecretStr(config.secret("SPORTELLO_SERVICE_TOKEN", token, self.var_dir))
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The environment's settings; in production, refuses unsafe defaults first."""
    config.check([API])
    return Settings()
