"""The operators table: who may use the console, and as what.

`username` is the login, stored lowercase so that «Anna.Rossi» and «anna.rossi» are one
account; `display_name` is what users see when an operator joins their conversation
(never the login). A disabled operator keeps their row, so the audit trail still
names them.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from api.models import Base, UTCDateTime, utcnow

USERNAME_LENGTH = 64
DISPLAY_NAME_LENGTH = 80


class Role(str, Enum):
    OPERATORE = "operatore"
    AMMINISTRATORE = "amministratore"

    def __str__(self) -> str:
        return self.value


ROLE_VALUES: tuple[str, ...] = tuple(role.value for role in Role)
ROLE_LABELS: dict[Role, str] = {Role.OPERATORE: "operatore", Role.AMMINISTRATORE: "amministratore"}


class Operator(Base):
    __tablename__ = "operators"
    __table_args__ = (
        CheckConstraint(f"role IN ({', '.join(repr(value) for value in ROLE_VALUES)})", name="role"),
        # The application lowercases; the constraint keeps a hand-written INSERT honest too.
        CheckConstraint("username = lower(username)", name="username_lowercase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(USERNAME_LENGTH), unique=True)
    display_name: Mapped[str] = mapped_column(String(DISPLAY_NAME_LENGTH))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.OPERATORE.value)
    active: Mapped[bool] = mapped_column(default=True)
    # Set by an administrator's reset: the next login must choose a new password.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.AMMINISTRATORE.value
