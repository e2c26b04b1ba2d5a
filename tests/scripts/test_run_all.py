"""scripts/run_all.py: the services it starts, their environment, and production refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts import run_all
from scripts.run_all import ROOT, TELEGRAM_HINT, build_environment, services


def test_no_token_no_telegram_service_and_a_hint_on_how_to_enable_it(tmp_path: Path) -> None:
    env = build_environment({"SPORTELLO_VAR_DIR": str(tmp_path)})

    assert [s.name for s in services(env)] == ["azioni", "api", "rasa"]
    assert "@BotFather" in TELEGRAM_HINT and "SPORTELLO_TELEGRAM_TOKEN" in TELEGRAM_HINT


def test_each_service_runs_its_own_entry_point_on_the_bind_host(tmp_path: Path) -> None:
    env = build_environment({"SPORTELLO_VAR_DIR": str(tmp_path), "SPORTELLO_BIND_HOST": "10.0.0.5"})
    by_name = {s.name: s for s in services(env)}

    bot_python = str(ROOT / ".venv-bot" / "bin" / "python")
    assert by_name["azioni"].command == [bot_python, "-m", "bot.actions.server"]
    assert by_name["rasa"].command == [bot_python, "-m", "bot.server"]
    assert by_name["api"].command[-4:] == ["--host", "10.0.0.5", "--port", "8000"]
    assert by_name["rasa"].health_url == "http://10.0.0.5:5005/webhooks/rest/"
    # The children get every value spelled out, secrets included.
    assert env["SPORTELLO_ACTIONS_SECRET"] == (tmp_path / "actions_secret").read_text()
    assert env["SPORTELLO_ACTIONS_URL"] == "http://127.0.0.1:5055/webhook"


def test_with_a_token_the_bridge_runs_in_the_app_env_against_our_rasa(tmp_path: Path) -> None:
    env = build_environment(
        {
            "SPORTELLO_VAR_DIR": str(tmp_path),
            "SPORTELLO_TELEGRAM_TOKEN": "123:abc",
            "SPORTELLO_TELEGRAM_PORT": "18081",
            "SPORTELLO_RASA_PORT": "15005",
        }
    )

    telegram = services(env)[-1]

    assert telegram.name == "telegram"
    assert telegram.command == [str(ROOT / ".venv-app" / "bin" / "python"), "-m", "connectors.telegram"]
    assert telegram.health_url == "http://127.0.0.1:18081/health"
    assert env["SPORTELLO_RASA_URL"] == "http://127.0.0.1:15005"


def test_an_explicit_rasa_url_is_kept(tmp_path: Path) -> None:
    env = build_environment({"SPORTELLO_VAR_DIR": str(tmp_path), "SPORTELLO_RASA_URL": "http://127.0.0.1:1"})
    assert env["SPORTELLO_RASA_URL"] == "http://127.0.0.1:1"


def test_in_production_nothing_starts_until_the_configuration_is_safe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SPORTELLO_ENV", "production")
    monkeypatch.setenv("SPORTELLO_VAR_DIR", str(tmp_path))
    started: list[object] = []
    monkeypatch.setattr(run_all, "start", lambda *args: started.append(args))

    assert run_all.main() == 2
    assert started == []
    err = capsys.readouterr().err
    assert "SPORTELLO_DATABASE_URL" in err and "SPORTELLO_TRACKER_URL" in err and "SPORTELLO_ACTIONS_SECRET" in err


def test_with_rabbitmq_the_monitoring_consumer_runs_too(tmp_path: Path) -> None:
    env = build_environment({"SPORTELLO_VAR_DIR": str(tmp_path), "SPORTELLO_MONITORING_BROKER": "rabbitmq"})
    consumer = services(env)[-1]
    assert consumer.name == "monitoraggio"
    assert consumer.command[-2:] == ["-m", "api.monitoring.consumer"]
    assert consumer.health_url is None  # no HTTP server: healthy while it runs
    assert "monitoraggio" not in [s.name for s in services(build_environment({"SPORTELLO_VAR_DIR": str(tmp_path)}))]


def test_free_port_never_hands_out_a_port_twice_even_when_the_kernel_repeats_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A fake kernel that offers the same free port twice before a new one.
    offers = iter([41001, 41001, 41001, 41002])

    class RepeatingSocket:
        def __enter__(self) -> RepeatingSocket:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def bind(self, address: tuple[str, int]) -> None:
            self.port = next(offers)

        def getsockname(self) -> tuple[str, int]:
            return ("127.0.0.1", self.port)

    monkeypatch.setattr(run_all, "_ISSUED_PORTS", set())
    monkeypatch.delenv("TEST_PORT_RANGE", raising=False)  # the kernel picks, as outside scripts/test.sh
    monkeypatch.setattr(run_all.socket, "socket", RepeatingSocket)

    assert [run_all.free_port(), run_all.free_port()] == ["41001", "41002"]


def test_free_port_stays_in_the_range_a_parallel_run_was_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run_all, "_ISSUED_PORTS", set())
    monkeypatch.setenv("TEST_PORT_RANGE", "23000-23009")

    ports = {int(run_all.free_port()) for _ in range(5)}

    assert len(ports) == 5 and all(23000 <= p <= 23009 for p in ports)


def test_service_ports_gives_each_local_service_its_own_free_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run_all, "_ISSUED_PORTS", set())
    ports = run_all.service_ports()

    assert set(ports) == {"SPORTELLO_ACTIONS_PORT", "SPORTELLO_RASA_PORT", "SPORTELLO_API_PORT"}
    assert len(set(ports.values())) == 3
