"""Keep the launcher's services running: restart one that stops, with back-off.

When one service stops (the API loses its database, a crash), the others keep
serving and the stopped one is started again after 1 s, then 2, 4 … up to 60 s
between attempts; a service that has run for a while gets its short delay back.
Standard library only (the launcher runs before anything else is installed).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol


class Process(Protocol):
    pid: int
    returncode: int | None

    def poll(self) -> int | None: ...


class Supervised(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def process(self) -> Process | None: ...


@dataclass
class _State:
    delay_s: float
    restart_at: float | None = None
    started_at: float = 0.0
    restarts: int = 0


@dataclass
class Supervisor:
    services: Sequence[Supervised]
    start: Callable[[Supervised], None]
    log: Callable[[str], None] = print
    clock: Callable[[], float] = time.monotonic
    first_delay_s: float = 1.0
    max_delay_s: float = 60.0
    # Running this long without stopping counts as healthy again: the delay starts over.
    stable_after_s: float = 120.0
    _states: dict[str, _State] = field(default_factory=dict)

    def __post_init__(self) -> None:
        now = self.clock()
        self._states = {s.name: _State(self.first_delay_s, started_at=now) for s in self.services}

    def restarts(self, name: str) -> int:
        return self._states[name].restarts

    def tick(self) -> None:
        """Look at every service once: note the ones that stopped, restart those whose time has come."""
        now = self.clock()
        for service in self.services:
            state = self._states[service.name]
            process = service.process
            running = process is not None and process.poll() is None
            if running:
                if now - state.started_at >= self.stable_after_s:
                    state.delay_s = self.first_delay_s
                continue
            if state.restart_at is None:
                code = process.returncode if process is not None else None
                state.restart_at = now + state.delay_s
                self.log(
                    f"==> Il servizio «{service.name}» si è fermato (codice {code}): "
                    f"lo riavvio tra {state.delay_s:.0f} s; gli altri continuano a funzionare."
                )
                state.delay_s = min(state.delay_s * 2, self.max_delay_s)
            elif now >= state.restart_at:
                state.restart_at = None
                state.started_at = now
                state.restarts += 1
                self.log(f"==> Riavvio «{service.name}» (tentativo {state.restarts}).")
                self.start(service)
