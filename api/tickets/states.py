"""The ticket life cycle: the one place that says which status may follow which.

    nuovo            → in_carico, chiuso
    in_carico        → in_attesa_utente, risolto, chiuso
    in_attesa_utente → in_carico, risolto, chiuso
    risolto          → riaperto, chiuso
    chiuso           → riaperto
    riaperto         → in_carico, in_attesa_utente, risolto, chiuso

A ticket leaves `nuovo` when an operator takes it (or closes it as a duplicate);
`in_carico` and `in_attesa_utente` alternate while the operator and the user write to
each other; `risolto` may still be reopened by the user or closed for good; a closed
ticket can only be reopened. Going to the same status again is not a transition.
"""

from __future__ import annotations

from enum import Enum


class TicketStatus(str, Enum):
    NUOVO = "nuovo"
    IN_CARICO = "in_carico"
    IN_ATTESA_UTENTE = "in_attesa_utente"
    RISOLTO = "risolto"
    CHIUSO = "chiuso"
    RIAPERTO = "riaperto"

    def __str__(self) -> str:
        return self.value


S = TicketStatus

TRANSITIONS: dict[TicketStatus, tuple[TicketStatus, ...]] = {
    S.NUOVO: (S.IN_CARICO, S.CHIUSO),
    S.IN_CARICO: (S.IN_ATTESA_UTENTE, S.RISOLTO, S.CHIUSO),
    S.IN_ATTESA_UTENTE: (S.IN_CARICO, S.RISOLTO, S.CHIUSO),
    S.RISOLTO: (S.RIAPERTO, S.CHIUSO),
    S.CHIUSO: (S.RIAPERTO,),
    S.RIAPERTO: (S.IN_CARICO, S.IN_ATTESA_UTENTE, S.RISOLTO, S.CHIUSO),
}

INITIAL = S.NUOVO
# Someone at the Sportello still has to act: a second escalation links to these.
OPEN = frozenset({S.NUOVO, S.IN_CARICO, S.IN_ATTESA_UTENTE, S.RIAPERTO})
# Nobody has taken them (yet, or again): the queue whose position the user is told.
WAITING = frozenset({S.NUOVO, S.RIAPERTO})
# Entering one of these marks the case as resolved; reopening clears the mark.
RESOLVING = frozenset({S.RISOLTO, S.CHIUSO})

# How operators read a status (the console); the assistant phrases its own replies.
LABELS: dict[TicketStatus, str] = {
    S.NUOVO: "nuovo",
    S.IN_CARICO: "in carico",
    S.IN_ATTESA_UTENTE: "in attesa dell'utente",
    S.RISOLTO: "risolto",
    S.CHIUSO: "chiuso",
    S.RIAPERTO: "riaperto",
}

STATUS_VALUES: tuple[str, ...] = tuple(status.value for status in TicketStatus)


def allowed_transitions(current: TicketStatus) -> tuple[TicketStatus, ...]:
    return TRANSITIONS[current]


def can_transition(current: TicketStatus, target: TicketStatus) -> bool:
    return target in TRANSITIONS[current]
