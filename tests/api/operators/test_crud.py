"""Operator accounts: creation rules, authentication, disabling and resets end sessions."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.console.models import ConsoleSession
from api.console.sessions import Lifetimes, find_session, open_session
from api.operators import crud, passwords
from api.operators.models import Operator, Role
from api.settings import Settings
from tests.api.console.support import PASSWORD


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


def _create(db: Session, username: str = "Anna.Rossi", **overrides: object) -> Operator:
    fields: dict[str, object] = {"username": username, "display_name": "Anna", "password": PASSWORD, **overrides}
    return crud.create_operator(db, **fields)  # type: ignore[arg-type]


def test_usernames_are_stored_lowercase_and_unique_whatever_the_case(db: Session) -> None:
    operator = _create(db, "  Anna.Rossi ")
    assert operator.username == "anna.rossi" and operator.role == "operatore" and operator.active
    with pytest.raises(crud.InvalidOperator, match=r"Esiste già un operatore con nome utente «anna\.rossi»"):
        _create(db, "ANNA.ROSSI")
    assert crud.by_username(db, "aNNa.rossi") is not None


def test_the_database_refuses_an_uppercase_username_written_by_hand(db: Session) -> None:
    db.add(Operator(username="Anna", display_name="Anna", password_hash="-", role="operatore"))
    with pytest.raises(IntegrityError):
        db.commit()


@pytest.mark.parametrize("username", ["ab", "anna rossi", "ànna", "-anna", "a" * 65, ""])
def test_invalid_usernames_are_refused_in_italian(db: Session, username: str) -> None:
    with pytest.raises(crud.InvalidOperator, match="Nome utente non valido"):
        _create(db, username)


def test_display_name_and_password_rules(db: Session) -> None:
    with pytest.raises(crud.InvalidOperator, match="nome che vedranno gli utenti"):
        _create(db, display_name="   ")
    with pytest.raises(crud.InvalidOperator, match="almeno 12 caratteri"):
        _create(db, password="breve")
    assert db.scalar(select(func.count()).select_from(Operator)) == 0


def test_the_password_is_stored_only_as_an_argon2_hash(db: Session) -> None:
    operator = _create(db)
    assert operator.password_hash.startswith("$argon2id$") and PASSWORD not in operator.password_hash


def test_authenticate(db: Session) -> None:
    operator = _create(db)
    assert crud.authenticate(db, "ANNA.rossi", PASSWORD) is operator
    assert crud.authenticate(db, "anna.rossi", PASSWORD + "x") is None
    assert crud.authenticate(db, "nessuno", PASSWORD) is None
    assert crud.authenticate(db, "anna.rossi", "x" * 10_000) is None


def test_a_disabled_operator_cannot_log_in_and_loses_their_sessions(db: Session, settings: Settings) -> None:
    admin = _create(db, "capo", role=Role.AMMINISTRATORE)
    operator = _create(db)
    token, _ = open_session(db, operator, Lifetimes.of(settings))
    crud.set_active(db, operator, False, by=admin)
    assert crud.authenticate(db, "anna.rossi", PASSWORD) is None
    assert find_session(db, token, Lifetimes.of(settings)) is None
    assert db.scalar(select(func.count()).select_from(ConsoleSession)) == 0
    crud.set_active(db, operator, True, by=admin)
    assert crud.authenticate(db, "anna.rossi", PASSWORD) is operator


def test_an_administrator_cannot_disable_themselves_nor_the_last_administrator(db: Session) -> None:
    admin = _create(db, "capo", role=Role.AMMINISTRATORE)
    with pytest.raises(crud.InvalidOperator, match="Non puoi disattivare il tuo account"):
        crud.set_active(db, admin, False, by=admin)
    with pytest.raises(crud.InvalidOperator, match="unico amministratore attivo"):
        crud.set_active(db, admin, False, by=None)
    second = _create(db, "vice", role=Role.AMMINISTRATORE)
    crud.set_active(db, admin, False, by=second)
    assert not admin.active


def test_a_reset_gives_a_temporary_password_to_change_and_ends_the_sessions(db: Session, settings: Settings) -> None:
    operator = _create(db)
    token, _ = open_session(db, operator, Lifetimes.of(settings))
    temporary = crud.reset_password(db, operator)
    assert operator.must_change_password
    assert crud.authenticate(db, "anna.rossi", PASSWORD) is None
    assert crud.authenticate(db, "anna.rossi", temporary) is operator
    assert find_session(db, token, Lifetimes.of(settings)) is None


def test_changing_ones_password(db: Session) -> None:
    operator = _create(db, must_change_password=True)
    with pytest.raises(crud.InvalidOperator, match="password attuale non è corretta"):
        crud.change_password(db, operator, "sbagliata-davvero", "nuova password lunga")
    with pytest.raises(crud.InvalidOperator, match="diversa da quella attuale"):
        crud.change_password(db, operator, PASSWORD, PASSWORD)
    crud.change_password(db, operator, PASSWORD, "nuova password lunga")
    assert not operator.must_change_password
    assert crud.authenticate(db, "anna.rossi", "nuova password lunga") is operator


def test_a_login_upgrades_a_hash_made_with_older_parameters(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    operator = _create(db)
    old_hash = operator.password_hash
    monkeypatch.setattr(passwords, "HASHER", passwords.PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    assert crud.authenticate(db, "anna.rossi", PASSWORD) is operator
    assert operator.password_hash != old_hash and "t=2" in operator.password_hash
