"""Entry point: `python -m connectors.telegram`.

Exit codes: 0 after a clean stop (Ctrl-C / SIGTERM), 1 if the bridge cannot start
(Telegram refuses the token or is unreachable, port taken), 2 if the configuration
is missing or wrong, with an Italian message that says what to do.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

from pydantic import ValidationError
from telegram.error import InvalidToken, NetworkError, TelegramError

from connectors.telegram.app import TelegramBridge
from connectors.telegram.settings import get_settings
from sportello.config import ConfigurationError

logger = logging.getLogger("connectors.telegram")

MISSING_TOKEN_MESSAGE = """\
Manca il token del bot Telegram: il ponte non può partire.
Per crearne uno: apri Telegram, scrivi a @BotFather, invia /newbot e scegli nome e username
del bot (l'username deve finire in "bot"); BotFather ti risponde con il token.
Poi impostalo nella variabile d'ambiente SPORTELLO_TELEGRAM_TOKEN, per esempio:
    export SPORTELLO_TELEGRAM_TOKEN='123456789:AA...'
e avvia di nuovo: .venv-app/bin/python -m connectors.telegram"""


def _configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request URL at INFO, and Bot API URLs contain the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)


async def run(bridge: TelegramBridge) -> int:
    settings = bridge.settings
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    try:
        try:
            await bridge.start()
        except InvalidToken:
            logger.error("Telegram rifiuta il token in SPORTELLO_TELEGRAM_TOKEN: controllalo con @BotFather (/token).")
            return 1
        except NetworkError as exc:
            logger.error("Non riesco a raggiungere Telegram (%s): %s", settings.telegram_api_base_url, exc)
            return 1
        except TelegramError as exc:
            logger.error("Telegram ha rifiutato l'avvio del ponte: %s", exc)
            return 1
        except OSError as exc:
            logger.error("Porta %s non disponibile (SPORTELLO_TELEGRAM_PORT): %s", settings.telegram_port, exc)
            return 1
        await stopping.wait()
        return 0
    finally:
        await bridge.stop()


def main() -> int:
    try:
        settings = get_settings()
    except ConfigurationError as exc:
        print(exc, file=sys.stderr)
        return 2
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'impostazioni'}: {e['msg']}" for e in exc.errors())
        print(f"Configurazione del ponte Telegram non valida: {problems}", file=sys.stderr)
        return 2
    if not settings.telegram_token.get_secret_value():
        print(MISSING_TOKEN_MESSAGE, file=sys.stderr)
        return 2
    _configure_logging()
    # Built before the event loop runs: opening the SQLite update store blocks briefly.
    bridge = TelegramBridge(settings)
    return asyncio.run(run(bridge))
