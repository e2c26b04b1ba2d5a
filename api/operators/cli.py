"""`python -m api.operators create-admin|add|disable|reset-password` (what `make operator` runs).

Works on the API's database (`SPORTELLO_DATABASE_URL`, the same settings as the API),
applying the migrations first, so it runs before the API was ever started. Passwords
are asked twice without echo; `--password-stdin` reads one line instead, for scripts
(never a password on the command line, where `ps` and the shell history would keep it).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from sqlalchemy.orm import Session

from api.db import create_db_engine, upgrade_database
from api.operators import crud
from api.operators.models import Operator, Role
from api.settings import get_settings


class CommandError(Exception):
    pass


def _ask(prompt: str, given: str | None, stdin: TextIO, option: str) -> str:
    if given is not None:
        return given
    if not stdin.isatty():
        raise CommandError(f"Nessun terminale per chiedere «{prompt.rstrip(': ')}»: usa {option}.")
    return input(prompt)


def _new_password(args: argparse.Namespace, stdin: TextIO, read_secret: Callable[[str], str]) -> str:
    if args.password_stdin:
        return stdin.readline().rstrip("\n")
    if not stdin.isatty():
        raise CommandError("Nessun terminale per chiedere la password: usa --password-stdin.")
    first = read_secret("Password (almeno 12 caratteri): ")
    if read_secret("Ripeti la password: ") != first:
        raise CommandError("Le due password non coincidono.")
    return first


def _create(
    session: Session, args: argparse.Namespace, role: Role, stdin: TextIO, read_secret: Callable[[str], str]
) -> str:
    if role is Role.AMMINISTRATORE and args.command == "create-admin" and crud.count_admins(session, active_only=False):
        raise CommandError(
            "Esiste già un amministratore: gli altri account si creano dalla console (Operatori) "
            "o con `python -m api.operators add`."
        )
    username = _ask("Nome utente: ", args.username, stdin, "--username")
    if crud.by_username(session, username) is not None:  # said before the password is typed twice
        raise CommandError(f"Esiste già un operatore con nome utente «{crud.normalise_username(username)}».")
    display_name = _ask("Nome visibile agli utenti: ", args.display_name, stdin, "--display-name")
    operator = crud.create_operator(
        session,
        username=username,
        display_name=display_name,
        password=_new_password(args, stdin, read_secret),
        role=role,
    )
    return f"Creato {role.value} «{operator.username}» ({operator.display_name})."


def _existing(session: Session, username: str) -> Operator:
    operator = crud.by_username(session, username)
    if operator is None:
        raise CommandError(f"Nessun operatore con nome utente «{crud.normalise_username(username)}».")
    return operator


def _disable(session: Session, args: argparse.Namespace) -> str:
    operator = crud.set_active(session, _existing(session, args.username), False, by=None)
    return f"Disattivato «{operator.username}»: le sue sessioni sono chiuse."


def _reset(session: Session, args: argparse.Namespace) -> str:
    operator = _existing(session, args.username)
    temporary = crud.reset_password(session, operator)
    return (
        f"Password temporanea di «{operator.username}»: {temporary}\n"
        "Consegnala di persona: al primo accesso dovrà sceglierne una nuova."
    )


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m api.operators", description="Account degli operatori della console.")
    commands = main.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("create-admin", "crea il primo amministratore (make operator)"),
        ("add", "aggiunge un operatore (--admin per un amministratore)"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("--username")
        command.add_argument("--display-name")
        command.add_argument("--password-stdin", action="store_true", help="legge la password da una riga di stdin")
        if name == "add":
            command.add_argument("--admin", action="store_true")
    for name, help_text in (
        ("disable", "disattiva un operatore e chiude le sue sessioni"),
        ("reset-password", "assegna una password temporanea da cambiare al primo accesso"),
    ):
        commands.add_parser(name, help=help_text).add_argument("username")
    return main


def run(
    argv: Sequence[str] | None = None,
    *,
    stdin: TextIO = sys.stdin,
    read_secret: Callable[[str], str] = getpass.getpass,
) -> str:
    """Run one command and return what to print; raises CommandError or crud.InvalidOperator."""
    args = parser().parse_args(argv)
    engine = create_db_engine(get_settings().database_url)
    try:
        upgrade_database(engine)
        with Session(engine, expire_on_commit=False) as session:
            if args.command == "create-admin":
                return _create(session, args, Role.AMMINISTRATORE, stdin, read_secret)
            if args.command == "add":
                role = Role.AMMINISTRATORE if args.admin else Role.OPERATORE
                return _create(session, args, role, stdin, read_secret)
            if args.command == "disable":
                return _disable(session, args)
            return _reset(session, args)
    finally:
        engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    try:
        print(run(argv))
    except (CommandError, crud.InvalidOperator) as exc:
        print(f"Errore: {exc}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, EOFError):
        print("\nAnnullato.", file=sys.stderr)
        return 1
    return 0
