"""Fixtures: a fake Bot API, a fake Rasa REST channel and the bridge wired to both."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from connectors.telegram.app import TelegramBridge
from connectors.telegram.settings import TelegramSettings, get_settings
from tests.connectors.telegram.fake_rasa import BUTTON_SECRET, FakeRasa
from tests.connectors.telegram.fake_telegram import FakeTelegram
from tests.connectors.telegram.support import serve

SERVICE_TOKEN = "token-di-servizio-dei-test"
WEBHOOK_URL = "https://sportello.example.test/telegram/webhook"
WEBHOOK_SECRET = "segreto-del-webhook-di-prova"
CHAT = 1001


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test reads the developer's SPORTELLO_* variables or writes the repository's .var/."""
    for name in list(os.environ):
        if name.startswith("SPORTELLO_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SPORTELLO_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram()
    async with serve(fake.app) as url:
        fake.base_url = url
        yield fake
        await fake.close()


@pytest.fixture
async def rasa() -> AsyncIterator[FakeRasa]:
    fake = FakeRasa()
    async with serve(fake.app) as url:
        fake.base_url = url
        yield fake


@pytest.fixture
def make_settings(tmp_path: Path, telegram: FakeTelegram, rasa: FakeRasa) -> Callable[..., TelegramSettings]:
    def make(**overrides: Any) -> TelegramSettings:
        values: dict[str, Any] = {
            "telegram_token": SecretStr(telegram.token),
            "telegram_api_base_url": telegram.base_url,
            "telegram_port": 0,
            "rasa_url": rasa.base_url,
            "rasa_timeout_s": 5.0,
            "redis_url": "",
            "var_dir": tmp_path / "var",
            "service_token": SecretStr(SERVICE_TOKEN),
            "button_secret": SecretStr(BUTTON_SECRET),
            **overrides,
        }
        return TelegramSettings(**values)

    return make


@pytest.fixture
async def bridges(telegram: FakeTelegram, rasa: FakeRasa) -> AsyncIterator[list[TelegramBridge]]:
    # Depends on the fakes so that bridges stop before the servers they talk to.
    running: list[TelegramBridge] = []
    yield running
    for bridge in running:
        await bridge.stop()


@pytest.fixture
def start_bridge(bridges: list[TelegramBridge]) -> Callable[..., Any]:
    async def start(settings: TelegramSettings, **kwargs: Any) -> TelegramBridge:
        kwargs.setdefault("poll_timeout_s", 1)
        bridge = TelegramBridge(settings, **kwargs)
        bridges.append(bridge)
        await bridge.start()
        return bridge

    return start


@pytest.fixture
async def polling_bridge(
    start_bridge: Callable[..., Any], make_settings: Callable[..., TelegramSettings]
) -> TelegramBridge:
    bridge: TelegramBridge = await start_bridge(make_settings())
    return bridge


@pytest.fixture
async def webhook_bridge(
    start_bridge: Callable[..., Any], make_settings: Callable[..., TelegramSettings]
) -> TelegramBridge:
    settings = make_settings(telegram_webhook_url=WEBHOOK_URL, telegram_webhook_secret=SecretStr(WEBHOOK_SECRET))
    bridge: TelegramBridge = await start_bridge(settings)
    return bridge
