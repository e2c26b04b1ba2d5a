"""The bridge process: PTB application, update source (polling or webhook) and HTTP server.

One object assembles everything from the settings and starts and stops it in the
right order, so `main()` and the tests run exactly the same code.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Iterator

import uvicorn
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder

from connectors.telegram.dedup import UpdateDedup, make_dedup
from connectors.telegram.deliver import Deliverer
from connectors.telegram.delivery import TelegramSender
from connectors.telegram.handlers import ALLOWED_UPDATES, BridgeHandlers
from connectors.telegram.ordering import ChatLocks, PerChatUpdateProcessor
from connectors.telegram.rasa_client import RasaClient
from connectors.telegram.ratelimit import ChatRateLimiter
from connectors.telegram.server import WebhookTarget, build_http_app
from connectors.telegram.settings import TelegramSettings
from sportello.payloads import PayloadSigner

logger = logging.getLogger(__name__)

SERVER_START_TIMEOUT_S = 10.0
DRAIN_TIMEOUT_S = 10.0
POLL_TIMEOUT_S = 10


class _QuietServer(uvicorn.Server):
    """uvicorn without its own signal handling: the bridge decides when to stop."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _bind(host: str, port: int) -> socket.socket:
    # Bound here rather than by uvicorn, which calls sys.exit() when the port is taken.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def _log_polling_error(error: TelegramError) -> None:
    # PTB retries by itself; one line per failure instead of a traceback keeps the log readable.
    logger.warning("Telegram non raggiungibile durante il polling (riprovo): %s", error)


class TelegramBridge:
    def __init__(
        self,
        settings: TelegramSettings,
        *,
        dedup: UpdateDedup | None = None,
        chat_burst: int = 3,
        chat_period_s: float = 3.0,
        poll_timeout_s: int = POLL_TIMEOUT_S,
    ) -> None:
        token = settings.telegram_token.get_secret_value()
        if not token:
            raise ValueError("SPORTELLO_TELEGRAM_TOKEN non impostato")
        self.settings = settings
        self._poll_timeout_s = poll_timeout_s
        locks = ChatLocks()
        api = settings.telegram_api_base_url
        builder = (
            ApplicationBuilder()
            .token(token)
            .base_url(f"{api}/bot")
            .base_file_url(f"{api}/file/bot")
            .rate_limiter(ChatRateLimiter(chat_burst=chat_burst, chat_period_s=chat_period_s))
            .concurrent_updates(PerChatUpdateProcessor(locks))
            .connect_timeout(5.0)
            .read_timeout(15.0)
            .write_timeout(15.0)
            .pool_timeout(5.0)
            .get_updates_connect_timeout(5.0)
            .get_updates_read_timeout(10.0)  # on top of the long-poll timeout itself
        )
        if settings.webhook_mode:
            builder = builder.updater(None)
        self.application: Application = builder.build()
        bot = self.application.bot
        self.rasa = RasaClient(settings.rasa_url, settings.rasa_timeout_s, settings.service_token.get_secret_value())
        sender = TelegramSender(bot)
        signer = PayloadSigner(settings.button_secret.get_secret_value().encode())
        # update_ids are per bot; the bot id is the token's first part, known without a network call.
        self.dedup = dedup or make_dedup(settings.redis_url, settings.dedup_db_path, token.split(":", 1)[0])
        BridgeHandlers(self.rasa, sender, signer, self.dedup).register(self.application)
        self.deliverer = Deliverer(sender, signer, locks)
        webhook = None
        if settings.webhook_mode:
            webhook = WebhookTarget(
                settings.webhook_path,
                settings.telegram_webhook_secret.get_secret_value(),
                bot,
                self.application.update_queue,
            )
        self.http_app = build_http_app(settings.service_token.get_secret_value(), self.deliverer, webhook)
        self._server: _QuietServer | None = None
        self._server_task: asyncio.Task[None] | None = None
        self.port: int | None = None

    async def _start_http(self) -> None:
        sock = _bind(self.settings.bind_host, self.settings.telegram_port)
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.http_app, log_level="warning", access_log=False, lifespan="off")
        self._server = _QuietServer(config)
        self._server_task = asyncio.create_task(self._server.serve(sockets=[sock]))
        deadline = asyncio.get_running_loop().time() + SERVER_START_TIMEOUT_S
        while not self._server.started:
            if self._server_task.done():
                self._server_task.result()  # re-raise what stopped it
                raise RuntimeError("il server HTTP del ponte Telegram si è fermato all'avvio")
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError("il server HTTP del ponte Telegram non è partito")
            await asyncio.sleep(0.02)

    async def start(self) -> None:
        """Connect to Telegram (getMe), start processing, the HTTP server and the update source."""
        await self.application.initialize()
        await self.application.start()
        await self._start_http()
        if self.settings.webhook_mode:
            await self.application.bot.set_webhook(
                self.settings.telegram_webhook_url,
                secret_token=self.settings.telegram_webhook_secret.get_secret_value(),
                allowed_updates=list(ALLOWED_UPDATES),
            )
            logger.info("Ponte Telegram attivo (webhook %s), porta %s", self.settings.telegram_webhook_url, self.port)
        else:
            assert self.application.updater is not None
            await self.application.updater.start_polling(
                timeout=self._poll_timeout_s,
                allowed_updates=list(ALLOWED_UPDATES),
                bootstrap_retries=3,
                error_callback=_log_polling_error,
            )
            logger.info("Ponte Telegram attivo (long polling), porta %s", self.port)

    async def stop(self) -> None:
        """Stop taking updates, finish what is in flight, release everything. Safe to call twice."""
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        if self._server is not None and self._server_task is not None:
            self._server.should_exit = True
            with contextlib.suppress(Exception):
                await self._server_task
            self._server = self._server_task = None
        await self.deliverer.drain(DRAIN_TIMEOUT_S)
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
        await self.rasa.aclose()
        await self.dedup.aclose()
