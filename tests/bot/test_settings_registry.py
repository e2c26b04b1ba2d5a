"""The Rasa environment's processes read exactly the variables the registry lists for them."""

from __future__ import annotations

import re

from pydantic import BaseSettings

from bot.actions.settings import ActionSettings
from bot.channels.settings import ChannelSettings
from sportello.config.registry import ACTIONS, BY_NAME, RASA, read_by
from sportello.paths import REPO_ROOT

NAME = re.compile(r"SPORTELLO_[A-Z0-9_]*[A-Z0-9]")


def _fields(cls: type[BaseSettings]) -> set[str]:
    return {f"SPORTELLO_{name.upper()}" for name in cls.__fields__}


def test_the_action_server_reads_its_registered_variables() -> None:
    assert _fields(ActionSettings) == {v.name for v in read_by(ACTIONS)}


def test_the_rasa_server_reads_its_registered_variables() -> None:
    # endpoints.yml's ${...} and the entry point's own options are read outside the settings class.
    literal = {
        name
        for path in ("endpoints.yml", "bot/server.py")
        for name in NAME.findall((REPO_ROOT / path).read_text(encoding="utf-8"))
    }
    assert _fields(ChannelSettings) | literal == {v.name for v in read_by(RASA)}


def test_settings_defaults_are_the_registry_defaults() -> None:
    for cls in (ActionSettings, ChannelSettings):
        for name, field in cls.__fields__.items():
            var = BY_NAME[f"SPORTELLO_{name.upper()}"]
            if var.default not in (None, ""):
                assert field.default == var.default, var.name
