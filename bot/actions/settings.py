"""Action server settings, read once from `SPORTELLO_*` environment variables.

Rasa 3.6 pins pydantic 1, so this uses pydantic 1's BaseSettings; the app
environment uses pydantic-settings 2 for the same variables.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import BaseSettings, Field


class ActionSettings(BaseSettings):
    api_url: str = "http://127.0.0.1:8000"
    service_token: str | None = None
    api_timeout_s: float = Field(default=2.0, gt=0, le=30)
    # Minimum ResponseSelector confidence to answer directly; below it the user
    # chooses among the closest topics. Tuned on the training data, see docs/benchmarks.md.
    faq_answer_threshold: float = Field(default=0.5, ge=0, le=1)
    suggest_min_confidence: float = Field(default=0.05, ge=0, le=1)
    max_suggestions: int = Field(default=3, ge=1, le=5)
    contact_info: str = (
        "scrivi allo Sportello Welfare della tua cooperativa o della tua associazione, "
        "che ti metterà in contatto con un operatore."
    )

    class Config:
        env_prefix = "SPORTELLO_"


@lru_cache(maxsize=1)
def get_settings() -> ActionSettings:
    return ActionSettings()
