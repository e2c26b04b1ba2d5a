"""Action server settings, read once from `SPORTELLO_*` environment variables.

Rasa 3.6 pins pydantic 1, so this uses pydantic 1's BaseSettings; defaults come from
the registry (sportello/config/registry.py) and what is left empty is resolved by the
same rules as in every other process, so `python -m bot.actions.server` (or a bare
`rasa run actions`) finds the generated service token on its own.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseSettings, Field, root_validator

from sportello import config
from sportello.config.registry import ACTIONS, default
from sportello.paths import DEFAULT_VAR_DIR


def _default(name: str) -> Any:
    return default(name)


class ActionSettings(BaseSettings):
    env: Literal["development", "production"] = _default("SPORTELLO_ENV")
    var_dir: Path = DEFAULT_VAR_DIR
    bind_host: str = _default("SPORTELLO_BIND_HOST")
    actions_port: int = Field(default=_default("SPORTELLO_ACTIONS_PORT"), ge=1, le=65535)
    # Empty: http://127.0.0.1:<SPORTELLO_API_PORT or 8000>.
    api_url: str = ""
    # Empty: the token generated once in the var dir.
    service_token: str = ""
    # Empty: the secret generated once in the var dir; Rasa presents the same one.
    actions_secret: str = ""
    api_timeout_s: float = Field(default=_default("SPORTELLO_API_TIMEOUT_S"), gt=0, le=30)
    # Minimum ResponseSelector confidence to answer directly; below it the user
    # chooses among the closest topics. Tuned on the training data, see docs/benchmarks.md.
    faq_answer_threshold: float = Field(default=_default("SPORTELLO_FAQ_ANSWER_THRESHOLD"), ge=0, le=1)
    suggest_min_confidence: float = Field(default=_default("SPORTELLO_SUGGEST_MIN_CONFIDENCE"), ge=0, le=1)
    max_suggestions: int = Field(default=_default("SPORTELLO_MAX_SUGGESTIONS"), ge=1, le=5)
    contact_info: str = _default("SPORTELLO_CONTACT_INFO")
    # The privacy notice a user consents to when asking for a person, and its version
    # (stored with the ticket). Empty URL: the example notice on the API's demo page.
    privacy_notice_url: str = ""
    privacy_notice_version: str = _default("SPORTELLO_PRIVACY_NOTICE_VERSION")
    # "lun-ven 9:00-13:00,14:00-17:00": when people answer; empty promises no hours.
    office_hours: str = _default("SPORTELLO_OFFICE_HOURS")
    office_province: str = _default("SPORTELLO_OFFICE_PROVINCE")
    # Where a ticket number reaches a user who is not waiting for it (outbox delivery).
    rasa_url: str = ""
    telegram_url: str = ""

    class Config:
        env_prefix = "SPORTELLO_"

    @root_validator(skip_on_failure=True)
    def _embedded_defaults(cls, values: dict[str, Any]) -> dict[str, Any]:
        directory = values["var_dir"]
        for name in ("api_url", "rasa_url", "telegram_url"):
            variable = f"SPORTELLO_{name.upper()}"
            values[name] = (values[name] or config.computed_default(variable, directory)).rstrip("/")
        if not values["privacy_notice_url"]:
            values["privacy_notice_url"] = f"{values['api_url']}/#privacy"
        values["service_token"] = config.secret("SPORTELLO_SERVICE_TOKEN", values["service_token"], directory)
        values["actions_secret"] = config.secret("SPORTELLO_ACTIONS_SECRET", values["actions_secret"], directory)
        return values


@lru_cache(maxsize=1)
def get_settings() -> ActionSettings:
    """The environment's settings; in production, refuses unsafe defaults first."""
    config.check([ACTIONS])
    return ActionSettings()
