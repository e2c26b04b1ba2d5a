"""`python -m bot.server`: Rasa started with the project's settings resolved."""

from __future__ import annotations

import pytest

from bot.server import main, rasa_arguments
from sportello.paths import REPO_ROOT

ENV = {"SPORTELLO_MODEL": "/modelli/m.tar.gz", "SPORTELLO_RASA_PORT": "15005", "SPORTELLO_BIND_HOST": "127.0.0.1"}


def test_defaults_are_the_projects_files_model_interface_and_port() -> None:
    args = rasa_arguments([], ENV)
    assert args[0] == "run"
    options = dict(zip(args[1::2], args[2::2], strict=True))
    assert options == {
        "--model": "/modelli/m.tar.gz",
        "--credentials": str(REPO_ROOT / "credentials.yml"),
        "--endpoints": str(REPO_ROOT / "endpoints.yml"),
        "--interface": "127.0.0.1",
        "--port": "15005",
    }


def test_options_given_on_the_command_line_win() -> None:
    args = rasa_arguments(["--port", "9999", "--model=/altro.tar.gz", "--enable-api"], ENV)
    assert args.count("--port") == 1 and "9999" in args
    assert "/modelli/m.tar.gz" not in args and "--model=/altro.tar.gz" in args
    assert "--enable-api" in args


def test_production_with_embedded_defaults_refuses_to_start(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("SPORTELLO_TRACKER_URL", "SPORTELLO_BUTTON_SECRET", "SPORTELLO_SERVICE_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SPORTELLO_ENV", "production")
    assert main([]) == 2
    err = capsys.readouterr().err
    assert "SPORTELLO_ENV=production" in err and "SPORTELLO_TRACKER_URL" in err
