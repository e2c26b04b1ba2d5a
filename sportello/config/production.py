"""Production mode (`SPORTELLO_ENV=production`): refuse to start on unsafe defaults.

Development needs no configuration at all (SQLite files and secrets generated in the var
dir). A production deployment must say what it uses: every process checks, at start,
the variables it reads, and stops with an Italian list of what to set.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from sportello.config.registry import VARIABLES, variable

PRODUCTION = "production"
DEVELOPMENT = "development"
MIN_SECRET_CHARS = 32


class ConfigurationError(RuntimeError):
    """The configuration cannot work; the message says in Italian what to set."""


def environment_name(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    value = (env.get("SPORTELLO_ENV") or DEVELOPMENT).strip().lower()
    if value not in (DEVELOPMENT, PRODUCTION):
        raise ConfigurationError(f"SPORTELLO_ENV deve valere «{DEVELOPMENT}» o «{PRODUCTION}», non «{value}».")
    return value


def is_production(env: Mapping[str, str] | None = None) -> bool:
    return environment_name(env) == PRODUCTION


def _is_sqlite(url: str) -> bool:
    return not url or url.split(":", 1)[0].split("+", 1)[0].lower() == "sqlite"


def _secret_problems(name: str, env: Mapping[str, str]) -> list[str]:
    value = env.get(name, "")
    if not value:
        return [
            f"imposta {name} con un segreto di almeno {MIN_SECRET_CHARS} caratteri "
            "(in produzione non si usano i segreti generati nella cartella dei dati)"
        ]
    if len(value) < MIN_SECRET_CHARS:
        return [f"{name} è troppo corto: servono almeno {MIN_SECRET_CHARS} caratteri (ne ha {len(value)})"]
    return []


def _public_https(name: str, env: Mapping[str, str], required: bool = False) -> list[str]:
    value = env.get(name, "").strip()
    if not value:
        return [f"imposta {name} con l'indirizzo pubblico https:// del servizio"] if required else []
    if urlsplit(value).scheme != "https":
        return [f"{name} deve essere un indirizzo https:// (ora è «{value}»)"]
    return []


def _origins(env: Mapping[str, str]) -> list[str]:
    name = "SPORTELLO_WEBCHAT_ALLOWED_ORIGINS"
    raw = env.get(name, str(variable(name).default))
    origins = [o.strip() for o in raw.split(",") if o.strip()]
    if "*" in origins:
        return [f"{name}: in produzione elenca i siti che ospitano la chat (https://…), non «*»"]
    plain = [o for o in origins if urlsplit(o).scheme != "https"]
    if plain:
        return [f"{name}: i siti devono essere https:// (non lo sono: {', '.join(plain)})"]
    return []


def problems(processes: Iterable[str], env: Mapping[str, str] | None = None) -> list[str]:
    """What stops these processes from running in production (empty outside production)."""
    env = os.environ if env is None else env
    if not is_production(env):
        return []
    wanted = set(processes)
    reads = {v.name for v in VARIABLES if wanted.intersection(v.readers)}
    found: list[str] = []
    if "SPORTELLO_DATABASE_URL" in reads and _is_sqlite(env.get("SPORTELLO_DATABASE_URL", "")):
        found.append("imposta SPORTELLO_DATABASE_URL con un database PostgreSQL (SQLite è solo per lo sviluppo)")
    if "SPORTELLO_TRACKER_URL" in reads and (
        _is_sqlite(env.get("SPORTELLO_TRACKER_URL", ""))
        or ("SPORTELLO_TRACKER_DIALECT" in reads and env.get("SPORTELLO_TRACKER_DIALECT", "sqlite") == "sqlite")
    ):
        found.append(
            "imposta SPORTELLO_TRACKER_DIALECT e SPORTELLO_TRACKER_URL con un database PostgreSQL "
            "per le conversazioni (SQLite è solo per lo sviluppo)"
        )
    for var in VARIABLES:
        if var.secret_file is None or var.name not in reads:
            continue
        if var.name == "SPORTELLO_TELEGRAM_WEBHOOK_SECRET" and not env.get("SPORTELLO_TELEGRAM_WEBHOOK_URL"):
            continue  # long polling: no webhook, no secret
        found += _secret_problems(var.name, env)
    if "SPORTELLO_WEBCHAT_ALLOWED_ORIGINS" in reads:
        found += _origins(env)
    if "SPORTELLO_WEBCHAT_SERVER_URL" in reads:
        found += _public_https("SPORTELLO_WEBCHAT_SERVER_URL", env, required=True)
    if "SPORTELLO_PRIVACY_NOTICE_URL" in reads:
        found += _public_https("SPORTELLO_PRIVACY_NOTICE_URL", env, required=True)
    if "SPORTELLO_TELEGRAM_WEBHOOK_URL" in reads:
        found += _public_https("SPORTELLO_TELEGRAM_WEBHOOK_URL", env)
    if "SPORTELLO_MONITORING_BROKER" in reads and env.get("SPORTELLO_MONITORING_BROKER") == "rabbitmq":
        found += _rabbitmq(env)
    return found


def _rabbitmq(env: Mapping[str, str]) -> list[str]:
    url = env.get("SPORTELLO_RABBITMQ_URL") or str(variable("SPORTELLO_RABBITMQ_URL").default)
    if urlsplit(url).password in (None, "", "guest"):
        return ["imposta SPORTELLO_RABBITMQ_URL con un utente e una password di RabbitMQ (non guest:guest)"]
    return []


def check(processes: Iterable[str], env: Mapping[str, str] | None = None) -> None:
    """Raise ConfigurationError listing every problem, if there is any."""
    found = problems(processes, env)
    if found:
        lines = "\n".join(f"  - {p}" for p in found)
        raise ConfigurationError(
            "Configurazione non adatta alla produzione (SPORTELLO_ENV=production). "
            f"Prima di avviare:\n{lines}\nPer provare in locale senza configurazione, togli SPORTELLO_ENV."
        )
