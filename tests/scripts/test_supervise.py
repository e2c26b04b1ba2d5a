"""The launcher's supervisor restarts a stopped service with back-off; the others keep running."""

from __future__ import annotations

from dataclasses import dataclass, field

from scripts.supervise import Supervisor


@dataclass
class FakeProcess:
    pid: int = 1
    returncode: int | None = None

    def poll(self) -> int | None:
        return self.returncode


@dataclass
class FakeService:
    name: str
    process: FakeProcess | None = field(default_factory=FakeProcess)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _supervisor(services: list[FakeService], clock: Clock, started: list[str], log: list[str]) -> Supervisor:
    def start(service: FakeService) -> None:
        started.append(service.name)
        service.process = FakeProcess()

    return Supervisor(services, start, log=log.append, clock=clock)  # type: ignore[arg-type]


def test_a_stopped_service_is_restarted_after_a_growing_delay_and_the_others_are_left_alone() -> None:
    api, rasa = FakeService("api"), FakeService("rasa")
    clock, started, log = Clock(), [], []
    supervisor = _supervisor([api, rasa], clock, started, log)

    assert api.process is not None
    api.process.returncode = 1
    supervisor.tick()
    assert started == [] and "«api» si è fermato (codice 1)" in log[-1] and "tra 1 s" in log[-1]
    clock.now += 0.5
    supervisor.tick()
    assert started == []
    clock.now += 0.5
    supervisor.tick()
    assert started == ["api"] and supervisor.restarts("api") == 1

    api.process.returncode = 1  # fails again at once: twice the delay
    supervisor.tick()
    assert "tra 2 s" in log[-1]
    clock.now += 1.9
    supervisor.tick()
    assert started == ["api"]
    clock.now += 0.1
    supervisor.tick()
    assert started == ["api", "api"]
    assert rasa.process is not None and rasa.process.returncode is None
    assert supervisor.restarts("rasa") == 0


def test_the_delay_is_capped_and_starts_over_after_a_stable_run() -> None:
    api = FakeService("api")
    clock, started, log = Clock(), [], []
    supervisor = _supervisor([api], clock, started, log)
    for _ in range(10):
        assert api.process is not None
        api.process.returncode = 1
        supervisor.tick()
        clock.now += 120
        supervisor.tick()
    assert "tra 60 s" in log[-2]
    clock.now += 121  # ran long enough: healthy again
    supervisor.tick()
    assert api.process is not None
    api.process.returncode = 1
    supervisor.tick()
    assert "tra 1 s" in log[-1]
