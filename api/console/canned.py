"""Canned replies: ready answers the administrators write and every operator can insert."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.console.models import CANNED_TEXT_LENGTH, CANNED_TITLE_LENGTH, CannedReply
from api.models import utcnow


class InvalidCannedReply(ValueError):
    """The message says what to fix, in Italian."""


def _clean(title: str, text: str) -> tuple[str, str]:
    title = " ".join(title.split())
    text = text.strip()
    if not title:
        raise InvalidCannedReply("Dai un titolo alla risposta pronta (per esempio «Documenti da inviare»).")
    if len(title) > CANNED_TITLE_LENGTH:
        raise InvalidCannedReply(f"Il titolo può avere al massimo {CANNED_TITLE_LENGTH} caratteri.")
    if not text:
        raise InvalidCannedReply("Scrivi il testo della risposta pronta.")
    if len(text) > CANNED_TEXT_LENGTH:
        raise InvalidCannedReply(f"Il testo può avere al massimo {CANNED_TEXT_LENGTH} caratteri.")
    return title, text


def list_replies(session: Session) -> list[CannedReply]:
    return list(session.scalars(select(CannedReply).order_by(CannedReply.title)))


def save(session: Session, title: str, text: str, *, reply: CannedReply | None = None) -> CannedReply:
    """Create a reply, or update `reply`; titles are unique."""
    title, text = _clean(title, text)
    now = utcnow()
    if reply is None:
        reply = CannedReply(title=title, text=text, created_at=now, updated_at=now)
        session.add(reply)
    else:
        reply.title, reply.text, reply.updated_at = title, text, now
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise InvalidCannedReply(f"Esiste già una risposta pronta con il titolo «{title}».") from exc
    return reply


def delete(session: Session, reply: CannedReply) -> None:
    session.delete(reply)
    session.commit()
