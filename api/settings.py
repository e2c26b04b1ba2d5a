"""API settings, read once from `SPORTELLO_*` environment variables.

Defaults are embedded, as for the rest of the project: the SQLite database and the
service token live in the var dir (`SPORTELLO_VAR_DIR`, default `<repo>/.var`). The
token is generated there once, exactly as `scripts/run_all.py` does, so that the
action server and the API agree on it without any configuration.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from sportello.var_secrets import persistent_secret

REPO_ROOT = Path(__file__).resolve().parents[1]
SERVICE_TOKEN_FILE = "service_token"
DATABASE_FILE = "sportello.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SPORTELLO_", extra="ignore")

    var_dir: Path = REPO_ROOT / ".var"
    # Empty means `sqlite:///<var_dir>/sportello.db`; any SQLAlchemy URL works,
    # e.g. postgresql+psycopg://user:pw@host/db.
    database_url: str = ""
    # Empty means: read (or generate once) `<var_dir>/service_token`.
    service_token: SecretStr = SecretStr("")

    @model_validator(mode="after")
    def _embedded_defaults(self) -> Settings:
        if not self.database_url or not self.service_token.get_secret_value():
            self.var_dir.mkdir(parents=True, exist_ok=True)
        if not self.database_url:
            self.database_url = f"sqlite:///{self.var_dir / DATABASE_FILE}"
        if not self.service_token.get_secret_value():
            self.service_token = SecretStr(persistent_secret(self.var_dir, SERVICE_TOKEN_FILE))
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
