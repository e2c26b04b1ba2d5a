"""The same resolution rules in every process: the environment, then the secret generated
in the var dir, then the embedded default (some computed from other variables).

Each process's settings class (pydantic 1 in the Rasa environment, pydantic-settings 2
in the other) reads the environment itself and calls these for what is left empty; the
launcher calls `service_environment` so its children get every value spelled out.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from sportello.config.registry import VARIABLES, default, variable
from sportello.paths import DEFAULT_MODEL, DEFAULT_VAR_DIR
from sportello.var_secrets import persistent_secret

LOCALHOST = "127.0.0.1"


def var_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    return Path(env.get("SPORTELLO_VAR_DIR") or DEFAULT_VAR_DIR)


def _setting(name: str, env: Mapping[str, str]) -> str:
    return env.get(name) or str(default(name) or "")


def secret(name: str, given: str | None, directory: Path) -> str:
    """`given` (from the environment), else the secret generated once in the var dir."""
    if given:
        return given
    file_name = variable(name).secret_file
    if file_name is None:
        raise ValueError(f"{name} non è un segreto generabile")
    return persistent_secret(directory, file_name)


def computed_default(name: str, directory: Path, env: Mapping[str, str] | None = None) -> str:
    """The default of a variable whose default depends on the var dir or on another variable."""
    env = os.environ if env is None else env
    if name == "SPORTELLO_DATABASE_URL":
        return f"sqlite:///{directory / 'sportello.db'}"
    if name == "SPORTELLO_TRACKER_URL":
        return f"sqlite:///{directory / 'tracker.db'}"
    if name == "SPORTELLO_ACTIONS_URL":
        return f"http://{LOCALHOST}:{_setting('SPORTELLO_ACTIONS_PORT', env)}/webhook"
    if name == "SPORTELLO_API_URL":
        return f"http://{LOCALHOST}:{_setting('SPORTELLO_API_PORT', env)}"
    if name == "SPORTELLO_RASA_URL":
        return f"http://{LOCALHOST}:{_setting('SPORTELLO_RASA_PORT', env)}"
    if name == "SPORTELLO_TELEGRAM_URL":
        return f"http://{LOCALHOST}:{_setting('SPORTELLO_TELEGRAM_PORT', env)}"
    if name == "SPORTELLO_PRIVACY_NOTICE_URL":
        api = env.get("SPORTELLO_API_URL") or computed_default("SPORTELLO_API_URL", directory, env)
        return f"{api.rstrip('/')}/#privacy"
    if name == "SPORTELLO_MODEL":
        return str(DEFAULT_MODEL)
    if name == "SPORTELLO_VAR_DIR":
        return str(directory)
    raise ValueError(f"{name} non ha un valore predefinito calcolato")


def service_environment(base: Mapping[str, str]) -> dict[str, str]:
    """`base` plus every variable the services read, resolved: what the launcher gives its
    children, and what `python -m bot.server` puts in place of endpoints.yml's `${...}`."""
    env = dict(base)
    directory = var_dir(env)
    directory.mkdir(parents=True, exist_ok=True)
    env["SPORTELLO_VAR_DIR"] = str(directory)
    for var in VARIABLES:
        if env.get(var.name):
            continue
        if var.secret_file is not None:
            if var.name == "SPORTELLO_TELEGRAM_WEBHOOK_SECRET":
                continue  # only webhook mode needs it; the bridge generates it then
            env[var.name] = secret(var.name, None, directory)
        elif var.default is None:
            env[var.name] = computed_default(var.name, directory, env)
        elif var.default != "" and var.name != "SPORTELLO_TEST_POSTGRES_URL":
            env[var.name] = str(var.default)
    return env
