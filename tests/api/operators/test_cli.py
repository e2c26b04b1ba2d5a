"""`python -m api.operators` (what `make operator` runs) on the API's database."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db import create_db_engine
from api.operators import cli, crud, passwords
from api.operators.models import Operator
from sportello.paths import REPO_ROOT


class Terminal(io.StringIO):
    """Standard input as a person's terminal (input() reads from it)."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli' / 'sportello.db'}"
    monkeypatch.setenv("SPORTELLO_DATABASE_URL", url)
    return url


def _operators(url: str) -> list[Operator]:
    engine = create_db_engine(url)
    try:
        with Session(engine) as session:
            return list(session.scalars(select(Operator).order_by(Operator.id)))
    finally:
        engine.dispose()


def test_create_admin_asks_twice_without_echo(database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "builtins.input", lambda prompt: {"Nome utente: ": "Marta", "Nome visibile agli utenti: ": "Marta"}[prompt]
    )
    asked: list[str] = []

    def secret(prompt: str) -> str:
        asked.append(prompt)
        return "la mia password lunga"

    message = cli.run(["create-admin"], stdin=Terminal(), read_secret=secret)
    assert message == "Creato amministratore «marta» (Marta)."
    assert asked == ["Password (almeno 12 caratteri): ", "Ripeti la password: "]
    (admin,) = _operators(database)
    assert admin.role == "amministratore" and passwords.verify_password(admin.password_hash, "la mia password lunga")


def test_two_different_passwords_create_nothing(database: str) -> None:
    answers = iter(["la prima password", "la seconda password"])
    with pytest.raises(cli.CommandError, match="non coincidono"):
        cli.run(
            ["create-admin", "--username", "marta", "--display-name", "Marta"],
            stdin=Terminal(),
            read_secret=lambda _: next(answers),
        )
    assert _operators(database) == []


def test_create_admin_only_once(database: str) -> None:
    args = ["create-admin", "--username", "marta", "--display-name", "Marta", "--password-stdin"]
    cli.run(args, stdin=io.StringIO("la mia password lunga\n"))
    with pytest.raises(cli.CommandError, match="Esiste già un amministratore"):
        cli.run([*args[:2], "altro", *args[3:]], stdin=io.StringIO("la mia password lunga\n"))


def test_without_a_terminal_the_password_comes_from_stdin_only(database: str) -> None:
    with pytest.raises(cli.CommandError, match="--password-stdin"):
        cli.run(["create-admin", "--username", "marta", "--display-name", "Marta"], stdin=io.StringIO(""))


def test_add_disable_and_reset(database: str) -> None:
    cli.run(
        ["create-admin", "--username", "marta", "--display-name", "Marta", "--password-stdin"],
        stdin=io.StringIO("la mia password lunga\n"),
    )
    assert cli.run(
        ["add", "--username", "luca", "--display-name", "Luca", "--password-stdin"],
        stdin=io.StringIO("una password segreta\n"),
    ) == ("Creato operatore «luca» (Luca).")
    assert cli.run(["disable", "LUCA"]) == "Disattivato «luca»: le sue sessioni sono chiuse."
    message = cli.run(["reset-password", "luca"])
    temporary = message.split(": ", 1)[1].split("\n")[0]
    luca = _operators(database)[1]
    assert not luca.active and luca.must_change_password and passwords.verify_password(luca.password_hash, temporary)
    with pytest.raises(cli.CommandError, match="Nessun operatore con nome utente «nessuno»"):
        cli.run(["disable", "nessuno"])
    with pytest.raises(crud.InvalidOperator, match="unico amministratore attivo"):
        cli.run(["disable", "marta"])


def test_the_module_runs_and_reports_errors_in_italian(database: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "SPORTELLO_DATABASE_URL": database,
        "SPORTELLO_VAR_DIR": str(tmp_path / "var"),
    }
    command = [
        sys.executable,
        "-m",
        "api.operators",
        "add",
        "--username",
        "x y",
        "--display-name",
        "X",
        "--password-stdin",
    ]
    result = subprocess.run(
        command, input="password lunga abbastanza\n", env=env, capture_output=True, text=True, cwd=REPO_ROOT
    )
    assert result.returncode == 1
    assert result.stderr.startswith("Errore: Nome utente non valido")


def test_without_a_terminal_every_answer_needs_its_option(database: str) -> None:
    with pytest.raises(cli.CommandError, match="usa --username"):
        cli.run(["create-admin", "--password-stdin"], stdin=io.StringIO("la mia password lunga\n"))
    with pytest.raises(cli.CommandError, match="usa --display-name"):
        cli.run(["create-admin", "--username", "marta", "--password-stdin"], stdin=io.StringIO("x\n"))
