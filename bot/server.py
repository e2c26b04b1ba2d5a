"""`python -m bot.server [rasa run options]`: the Rasa server with the project's settings.

Rasa reads endpoints.yml's `${SPORTELLO_...}` before any of our code runs, and a bare
`rasa run` stops when one is unset. This entry point resolves them first, by the same
rules as every other process (environment, then the secret generated in the var dir,
then the embedded default), refuses unsafe defaults in production, and then hands
over to Rasa's own command line, so the server starts correctly on its own.
"""

from __future__ import annotations

import os
import sys

from sportello import config
from sportello.config.registry import RASA
from sportello.paths import REPO_ROOT

# endpoints.yml's event broker (bot/monitoring/broker.py): checked here, before Rasa
# spends a minute loading the model.
MONITORING_TRANSPORTS = ("api", "rabbitmq", "off")


def rasa_arguments(argv: list[str], env: dict[str, str]) -> list[str]:
    """`rasa run` with the project's files, model, interface and port, unless `argv` says otherwise."""
    args = ["run", *argv]
    defaults = {
        "--model": env["SPORTELLO_MODEL"],
        "--credentials": str(REPO_ROOT / "credentials.yml"),
        "--endpoints": str(REPO_ROOT / "endpoints.yml"),
        "--interface": env.get("SPORTELLO_BIND_HOST") or str(config.default("SPORTELLO_BIND_HOST")),
        "--port": env["SPORTELLO_RASA_PORT"],
    }
    for option, value in defaults.items():
        if not any(a == option or a.startswith(option + "=") for a in argv):
            args += [option, value]
    return args


def main(argv: list[str]) -> int:
    try:
        config.check([RASA])
    except config.ConfigurationError as exc:
        print(exc, file=sys.stderr)
        return 2
    resolved = config.service_environment(os.environ)
    broker = resolved.get("SPORTELLO_MONITORING_BROKER", "")
    if broker not in MONITORING_TRANSPORTS:
        print(
            f"SPORTELLO_MONITORING_BROKER deve valere {', '.join(MONITORING_TRANSPORTS)}, non «{broker}».",
            file=sys.stderr,
        )
        return 2
    os.environ.update(resolved)
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    from rasa.__main__ import main as rasa_main  # imported late: it takes seconds

    sys.argv = ["rasa", *rasa_arguments(argv, resolved)]
    rasa_main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
