"""The state machine: what may follow what (no database involved)."""

from __future__ import annotations

import pytest

from api.tickets.states import (
    INITIAL,
    LABELS,
    OPEN,
    TRANSITIONS,
    WAITING,
    TicketStatus,
    allowed_transitions,
    can_transition,
)

S = TicketStatus

ALLOWED = {
    (S.NUOVO, S.IN_CARICO),
    (S.NUOVO, S.CHIUSO),
    (S.IN_CARICO, S.IN_ATTESA_UTENTE),
    (S.IN_CARICO, S.RISOLTO),
    (S.IN_CARICO, S.CHIUSO),
    (S.IN_ATTESA_UTENTE, S.IN_CARICO),
    (S.IN_ATTESA_UTENTE, S.RISOLTO),
    (S.IN_ATTESA_UTENTE, S.CHIUSO),
    (S.RISOLTO, S.RIAPERTO),
    (S.RISOLTO, S.CHIUSO),
    (S.CHIUSO, S.RIAPERTO),
    (S.RIAPERTO, S.IN_CARICO),
    (S.RIAPERTO, S.IN_ATTESA_UTENTE),
    (S.RIAPERTO, S.RISOLTO),
    (S.RIAPERTO, S.CHIUSO),
}


def test_statuses_are_the_six_of_the_sportello() -> None:
    assert [status.value for status in TicketStatus] == [
        "nuovo",
        "in_carico",
        "in_attesa_utente",
        "risolto",
        "chiuso",
        "riaperto",
    ]
    assert INITIAL is S.NUOVO
    assert set(TRANSITIONS) == set(TicketStatus) == set(LABELS)


@pytest.mark.parametrize("current", list(TicketStatus))
@pytest.mark.parametrize("target", list(TicketStatus))
def test_exactly_the_designed_transitions_are_allowed(current: TicketStatus, target: TicketStatus) -> None:
    assert can_transition(current, target) is ((current, target) in ALLOWED)
    assert (target in allowed_transitions(current)) is ((current, target) in ALLOWED)


def test_no_status_leads_to_itself_or_back_to_nuovo() -> None:
    for current, targets in TRANSITIONS.items():
        assert current not in targets
        assert S.NUOVO not in targets


def test_every_status_is_reachable_from_nuovo_and_chiuso_from_every_one() -> None:
    reached, frontier = {S.NUOVO}, [S.NUOVO]
    while frontier:
        for target in TRANSITIONS[frontier.pop()]:
            if target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(TicketStatus)
    assert all(can_transition(status, S.CHIUSO) for status in TicketStatus if status is not S.CHIUSO)


def test_open_and_waiting_statuses() -> None:
    assert {S.NUOVO, S.IN_CARICO, S.IN_ATTESA_UTENTE, S.RIAPERTO} == OPEN
    assert {S.NUOVO, S.RIAPERTO} == WAITING
