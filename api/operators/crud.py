"""Operator accounts: create, list, disable, reset, change password, authenticate.

Each function is one transaction; errors are `InvalidOperator` with an Italian message
for the person at the keyboard (the console form or the command line). Disabling an
operator or resetting their password ends their open console sessions.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.console.models import ConsoleSession
from api.models import utcnow
from api.operators import passwords
from api.operators.models import DISPLAY_NAME_LENGTH, USERNAME_LENGTH, Operator, Role

USERNAME = re.compile(rf"[a-z0-9][a-z0-9._-]{{2,{USERNAME_LENGTH - 1}}}")


class InvalidOperator(ValueError):
    """The request cannot be done; the message says why, in Italian."""


def normalise_username(username: str) -> str:
    return username.strip().lower()


def _check_username(username: str) -> str:
    normalised = normalise_username(username)
    if not USERNAME.fullmatch(normalised):
        raise InvalidOperator(
            f"Nome utente non valido: da 3 a {USERNAME_LENGTH} caratteri tra lettere senza accenti, cifre, "
            "«.», «_» e «-», iniziando con una lettera o una cifra (per esempio anna.rossi)."
        )
    return normalised


def _check_display_name(display_name: str) -> str:
    cleaned = " ".join(display_name.split())
    if not cleaned:
        raise InvalidOperator("Indica il nome che vedranno gli utenti (per esempio Anna).")
    if len(cleaned) > DISPLAY_NAME_LENGTH:
        raise InvalidOperator(f"Il nome visibile può avere al massimo {DISPLAY_NAME_LENGTH} caratteri.")
    return cleaned


def _check_password(password: str, username: str) -> None:
    problem = passwords.password_problem(password, username=username)
    if problem is not None:
        raise InvalidOperator(problem)


def by_username(session: Session, username: str) -> Operator | None:
    return session.scalars(select(Operator).where(Operator.username == normalise_username(username))).one_or_none()


def list_operators(session: Session) -> list[Operator]:
    return list(session.scalars(select(Operator).order_by(Operator.active.desc(), Operator.display_name)))


def count_admins(session: Session, *, active_only: bool = True) -> int:
    query = select(func.count()).select_from(Operator).where(Operator.role == Role.AMMINISTRATORE.value)
    if active_only:
        query = query.where(Operator.active.is_(True))
    return session.scalar(query) or 0


def create_operator(
    session: Session,
    *,
    username: str,
    display_name: str,
    password: str,
    role: Role = Role.OPERATORE,
    must_change_password: bool = False,
) -> Operator:
    normalised = _check_username(username)
    operator = Operator(
        username=normalised,
        display_name=_check_display_name(display_name),
        password_hash=passwords.hash_password(_checked(password, normalised)),
        role=role.value,
        active=True,
        must_change_password=must_change_password,
    )
    session.add(operator)
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise InvalidOperator(f"Esiste già un operatore con nome utente «{normalised}».") from exc
    return operator


def _checked(password: str, username: str) -> str:
    _check_password(password, username)
    return password


def _end_sessions(session: Session, operator: Operator) -> None:
    session.execute(delete(ConsoleSession).where(ConsoleSession.operator_id == operator.id))


def set_active(session: Session, operator: Operator, active: bool, *, by: Operator | None) -> Operator:
    """`by` is the administrator at the console; None for the command line on the server."""
    if not active and by is not None and operator.id == by.id:
        raise InvalidOperator("Non puoi disattivare il tuo account: chiedi a un altro amministratore.")
    if not active and operator.is_admin and operator.active and count_admins(session) <= 1:
        raise InvalidOperator("È l'unico amministratore attivo: nomina prima un altro amministratore.")
    operator.active = active
    if not active:
        _end_sessions(session, operator)
    session.commit()
    return operator


def reset_password(session: Session, operator: Operator, *, now: datetime | None = None) -> str:
    """A new temporary password (returned once, to be handed over) to change at the next login."""
    temporary = passwords.temporary_password()
    operator.password_hash = passwords.hash_password(temporary)
    operator.must_change_password = True
    operator.password_changed_at = now or utcnow()
    _end_sessions(session, operator)
    session.commit()
    return temporary


def change_password(
    session: Session, operator: Operator, current: str, new: str, *, now: datetime | None = None
) -> None:
    """The operator's own change: the current password first, then the new one's rules."""
    if not passwords.verify_password(operator.password_hash, current):
        raise InvalidOperator("La password attuale non è corretta.")
    if new == current:
        raise InvalidOperator("La nuova password deve essere diversa da quella attuale.")
    _check_password(new, operator.username)
    operator.password_hash = passwords.hash_password(new)
    operator.must_change_password = False
    operator.password_changed_at = now or utcnow()
    session.commit()


def authenticate(session: Session, username: str, password: str) -> Operator | None:
    """The active operator with these credentials, or None (same cost either way)."""
    operator = by_username(session, username) if len(password) <= passwords.MAX_LENGTH else None
    if operator is None or not operator.active:
        passwords.waste_time(password[: passwords.MAX_LENGTH])
        return None
    if not passwords.verify_password(operator.password_hash, password):
        return None
    if passwords.needs_rehash(operator.password_hash):
        operator.password_hash = passwords.hash_password(password)
        session.commit()
    return operator
