"""`python -m connectors.telegram` as a real process: exit codes, messages, a clean stop."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import httpx
import pytest

from tests.connectors.telegram.conftest import CHAT
from tests.connectors.telegram.fake_rasa import BUTTON_SECRET, FakeRasa
from tests.connectors.telegram.fake_telegram import FakeTelegram
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[3]
START_TIMEOUT_S = 60


def _env(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPORTELLO_")}
    env["PYTHONPATH"] = str(ROOT)
    env["SPORTELLO_VAR_DIR"] = str(tmp_path / "var")
    env.update(values)
    return env


async def _run(env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "connectors.telegram", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def test_without_a_token_it_explains_how_to_get_one_and_exits_2(tmp_path: Path) -> None:
    process = await _run(_env(tmp_path))
    _, stderr = await asyncio.wait_for(process.communicate(), START_TIMEOUT_S)

    assert process.returncode == 2
    message = stderr.decode()
    assert "@BotFather" in message and "/newbot" in message and "SPORTELLO_TELEGRAM_TOKEN" in message


async def test_a_wrong_setting_is_reported_and_exits_2(tmp_path: Path) -> None:
    env = _env(tmp_path, SPORTELLO_TELEGRAM_TOKEN="1:x", SPORTELLO_TELEGRAM_WEBHOOK_URL="http://senza-tls.test/")
    process = await _run(env)
    _, stderr = await asyncio.wait_for(process.communicate(), START_TIMEOUT_S)

    assert process.returncode == 2
    assert "non valida" in stderr.decode() and "https" in stderr.decode()


async def test_in_production_generated_secrets_are_refused_and_it_exits_2(tmp_path: Path) -> None:
    env = _env(tmp_path, SPORTELLO_ENV="production", SPORTELLO_TELEGRAM_TOKEN="1:x")
    process = await _run(env)
    _, stderr = await asyncio.wait_for(process.communicate(), START_TIMEOUT_S)

    assert process.returncode == 2
    message = stderr.decode()
    assert "SPORTELLO_ENV=production" in message
    assert "SPORTELLO_SERVICE_TOKEN" in message and "SPORTELLO_BUTTON_SECRET" in message


async def test_a_token_telegram_refuses_exits_1(tmp_path: Path, telegram: FakeTelegram) -> None:
    env = _env(
        tmp_path,
        SPORTELLO_TELEGRAM_TOKEN="999:token-revocato",
        SPORTELLO_TELEGRAM_API_BASE_URL=telegram.base_url,
        SPORTELLO_TELEGRAM_PORT=str(free_port()),
    )
    process = await _run(env)
    _, stderr = await asyncio.wait_for(process.communicate(), START_TIMEOUT_S)

    assert process.returncode == 1
    assert "rifiuta il token" in stderr.decode()


async def _wait_healthy(url: str, process: asyncio.subprocess.Process) -> None:
    deadline = asyncio.get_running_loop().time() + START_TIMEOUT_S
    async with httpx.AsyncClient(timeout=2) as client:
        while True:
            assert process.returncode is None, "il ponte si è fermato all'avvio"
            try:
                if (await client.get(url)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            assert asyncio.get_running_loop().time() < deadline, "il ponte non è partito"
            await asyncio.sleep(0.1)  # waiting for start-up, not asserting on time


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
async def test_polling_process_answers_and_stops_cleanly_on_a_signal(
    tmp_path: Path, telegram: FakeTelegram, rasa: FakeRasa, stop_signal: signal.Signals
) -> None:
    port = free_port()
    env = _env(
        tmp_path,
        SPORTELLO_TELEGRAM_TOKEN=telegram.token,
        SPORTELLO_TELEGRAM_API_BASE_URL=telegram.base_url,
        SPORTELLO_TELEGRAM_PORT=str(port),
        SPORTELLO_RASA_URL=rasa.base_url,
        SPORTELLO_BUTTON_SECRET=BUTTON_SECRET,
        SPORTELLO_SERVICE_TOKEN=rasa.service_token,
    )
    process = await _run(env)
    try:
        await _wait_healthy(f"http://127.0.0.1:{port}/health", process)
        await telegram.push(telegram.message_update(CHAT, "/start"))
        (reply,) = await telegram.wait_sent(1, chat_id=CHAT)
        assert "Privacy" in reply["shown_text"]
    finally:
        if process.returncode is None:
            process.send_signal(stop_signal)
        stdout, stderr = await asyncio.wait_for(process.communicate(), START_TIMEOUT_S)

    assert process.returncode == 0
    # Bot API URLs contain the token: it must never reach the logs.
    assert telegram.token not in (stdout + stderr).decode()
    assert (tmp_path / "var" / "telegram_updates.db").exists()
