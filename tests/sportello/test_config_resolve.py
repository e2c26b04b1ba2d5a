"""The same resolution everywhere: environment, then generated secret, then default."""

from __future__ import annotations

from pathlib import Path

from sportello.config.resolve import computed_default, secret, service_environment, var_dir
from sportello.paths import DEFAULT_MODEL, DEFAULT_VAR_DIR


def test_the_var_dir_defaults_to_the_repositorys_dot_var() -> None:
    assert var_dir({}) == DEFAULT_VAR_DIR
    assert var_dir({"SPORTELLO_VAR_DIR": "/srv/sportello"}) == Path("/srv/sportello")


def test_a_secret_from_the_environment_wins_over_the_generated_one(tmp_path: Path) -> None:
    assert secret("SPORTELLO_SERVICE_TOKEN", "dall-ambiente", tmp_path) == "dall-ambiente"
    assert not (tmp_path / "service_token").exists()
    generated = secret("SPORTELLO_SERVICE_TOKEN", "", tmp_path)
    assert generated == (tmp_path / "service_token").read_text()
    assert secret("SPORTELLO_SERVICE_TOKEN", None, tmp_path) == generated


def test_computed_defaults_follow_the_var_dir_and_the_ports(tmp_path: Path) -> None:
    assert computed_default("SPORTELLO_DATABASE_URL", tmp_path, {}) == f"sqlite:///{tmp_path / 'sportello.db'}"
    assert computed_default("SPORTELLO_TRACKER_URL", tmp_path, {}) == f"sqlite:///{tmp_path / 'tracker.db'}"
    assert computed_default("SPORTELLO_API_URL", tmp_path, {}) == "http://127.0.0.1:8000"
    assert computed_default("SPORTELLO_API_URL", tmp_path, {"SPORTELLO_API_PORT": "9000"}) == "http://127.0.0.1:9000"
    assert computed_default("SPORTELLO_ACTIONS_URL", tmp_path, {}) == "http://127.0.0.1:5055/webhook"
    assert computed_default("SPORTELLO_MODEL", tmp_path, {}) == str(DEFAULT_MODEL)


def test_the_services_environment_spells_out_every_value(tmp_path: Path) -> None:
    env = service_environment({"SPORTELLO_VAR_DIR": str(tmp_path), "SPORTELLO_RASA_PORT": "15005", "PATH": "/bin"})
    assert env["PATH"] == "/bin"
    assert env["SPORTELLO_RASA_URL"] == "http://127.0.0.1:15005"
    assert env["SPORTELLO_TRACKER_DIALECT"] == "sqlite"
    for name, file_name in [
        ("SPORTELLO_SERVICE_TOKEN", "service_token"),
        ("SPORTELLO_BUTTON_SECRET", "button_secret"),
        ("SPORTELLO_ACTIONS_SECRET", "actions_secret"),
    ]:
        assert env[name] == (tmp_path / file_name).read_text()
    # Only webhook mode needs the webhook secret; the bridge makes it then.
    assert "SPORTELLO_TELEGRAM_WEBHOOK_SECRET" not in env
    assert "SPORTELLO_TELEGRAM_TOKEN" not in env  # unset means Telegram off
    # A second start finds the same secrets.
    again = service_environment({"SPORTELLO_VAR_DIR": str(tmp_path)})
    assert again["SPORTELLO_ACTIONS_SECRET"] == env["SPORTELLO_ACTIONS_SECRET"]
