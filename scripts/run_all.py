"""Start the whole assistant locally and stop it cleanly on Ctrl-C.

Runs the action server, the Rasa server and the FastAPI app, each in its own
environment (plus the Telegram bridge when SPORTELLO_TELEGRAM_TOKEN is set), waits
until all answer, prints their URLs, and forwards Ctrl-C. A service that stops is
restarted with back-off while the others keep serving (scripts/supervise.py): a
ticket-store outage must never silence the assistant.
Standard library only, so it runs before anything else is installed.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from scripts.supervise import Supervisor
from sportello import config
from sportello.config.registry import SERVICES
from sportello.paths import REPO_ROOT

ROOT = REPO_ROOT
STARTUP_TIMEOUT_S = 180
STOP_TIMEOUT_S = 15
TELEGRAM_HINT = (
    "==> Telegram non attivo: per attivarlo crea un bot con @BotFather (/newbot) e avvia con "
    "SPORTELLO_TELEGRAM_TOKEN=<token> (istruzioni nel README)."
)


@dataclass
class Service:
    name: str
    command: list[str]
    # None: a worker with no HTTP server (the monitoring consumer): healthy while it runs.
    health_url: str | None
    public_url: str
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)


def build_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The children's environment: `base` (default: ours) with every SPORTELLO_* variable resolved."""
    env = config.service_environment(os.environ if base is None else base)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    # TensorFlow's C++ start-up chatter hides the lines that matter.
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    return env


def services(env: dict[str, str]) -> list[Service]:
    """The services to start, from a `build_environment` environment (every port is set)."""
    bot = ROOT / ".venv-bot" / "bin"
    app = ROOT / ".venv-app" / "bin"
    host = env["SPORTELLO_BIND_HOST"]
    actions_port, rasa_port, api_port = (
        env["SPORTELLO_ACTIONS_PORT"],
        env["SPORTELLO_RASA_PORT"],
        env["SPORTELLO_API_PORT"],
    )
    result = [
        Service(
            "azioni",
            [str(bot / "python"), "-m", "bot.actions.server"],
            f"http://{host}:{actions_port}/health",
            f"http://{host}:{actions_port}",
        ),
        Service(
            "api",
            [str(app / "uvicorn"), "api.main:app", "--host", host, "--port", api_port],
            f"http://{host}:{api_port}/api/v1/health",
            f"http://{host}:{api_port}",
        ),
        Service(
            "rasa",
            [str(bot / "python"), "-m", "bot.server"],
            f"http://{host}:{rasa_port}/webhooks/rest/",
            f"http://{host}:{rasa_port}",
        ),
    ]
    if env.get("SPORTELLO_MONITORING_BROKER") == "rabbitmq":
        # Rasa publishes the conversation events to RabbitMQ; this writes them to the store.
        result.append(Service("monitoraggio", [str(app / "python"), "-m", "api.monitoring.consumer"], None, ""))
    if env.get("SPORTELLO_TELEGRAM_TOKEN"):
        telegram_port = env["SPORTELLO_TELEGRAM_PORT"]
        result.append(
            Service(
                "telegram",
                [str(app / "python"), "-m", "connectors.telegram"],
                f"http://{host}:{telegram_port}/health",
                f"http://{host}:{telegram_port}",
            )
        )
    return result


def _pump(name: str, stream: object) -> None:
    for raw in iter(stream.readline, b""):  # type: ignore[attr-defined]
        sys.stdout.write(f"[{name}] {raw.decode(errors='replace')}")
        sys.stdout.flush()


def _healthy(url: str | None) -> bool:
    if url is None:
        return True
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return 200 <= resp.status < 300
    except (urllib.error.URLError, OSError):
        return False


def start(service: Service, env: dict[str, str]) -> None:
    service.process = subprocess.Popen(
        service.command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    threading.Thread(target=_pump, args=(service.name, service.process.stdout), daemon=True).start()


def stop_all(running: list[Service]) -> None:
    for service in running:
        if service.process and service.process.poll() is None:
            os.killpg(service.process.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for service in running:
        if service.process is None:
            continue
        try:
            service.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(service.process.pid, signal.SIGKILL)
            service.process.wait()
    print("==> Assistente fermato.")


_ISSUED_PORTS: set[int] = set()


def _port_range() -> range | None:
    # TEST_PORT_RANGE ("20000-25999") gives parallel test runs disjoint ports: a port
    # probed free by one run could otherwise be taken by the other while a slow
    # service (Rasa: seconds) is still starting on it.
    spec = os.environ.get("TEST_PORT_RANGE", "")
    if not spec:
        return None
    low, _, high = spec.partition("-")
    return range(int(low), int(high) + 1)


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> str:
    """A port nothing listens on, never one this process already handed out.

    The kernel may give the same free port to two back-to-back probes (CI once
    started Rasa and the action server on one port), so issued ports are remembered.
    """
    ports = _port_range()
    while True:
        if ports is None:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                port = int(sock.getsockname()[1])
        else:
            port = random.choice(ports)
            if port in _ISSUED_PORTS or not _bindable(port):
                continue
        if port not in _ISSUED_PORTS:
            _ISSUED_PORTS.add(port)
            return str(port)


def service_ports() -> dict[str, str]:
    """Free ports for the action server, Rasa and the API, as `assistant_running` overrides."""
    return {name: free_port() for name in ("SPORTELLO_ACTIONS_PORT", "SPORTELLO_RASA_PORT", "SPORTELLO_API_PORT")}


def wait_healthy(running: list[Service], timeout_s: float = STARTUP_TIMEOUT_S) -> None:
    """Return once every service answers its health URL; raise if one dies or time runs out."""
    deadline = time.monotonic() + timeout_s
    while not all(_healthy(s.health_url) for s in running):
        dead = [s.name for s in running if s.process is not None and s.process.poll() is not None]
        if dead:
            raise RuntimeError(f"servizi terminati: {', '.join(dead)}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"i servizi non sono partiti entro {timeout_s:.0f} s")
        time.sleep(0.5)


@contextmanager
def assistant_running(
    overrides: Mapping[str, str], only: Collection[str] | None = None, timeout_s: float = STARTUP_TIMEOUT_S
) -> Iterator[tuple[dict[str, str], dict[str, Service]]]:
    """The assistant for tests and benchmarks: our SPORTELLO_* settings ignored, `overrides`
    applied (free ports: `free_port()`), every service (or those named in `only`) started
    and healthy; all stopped on exit. Yields the environment and the services by name."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("SPORTELLO_")}
    env = build_environment({**base, **overrides})
    running = [s for s in services(env) if only is None or s.name in only]
    try:
        for service in running:
            start(service, env)
        wait_healthy(running, timeout_s)
        yield env, {s.name: s for s in running}
    finally:
        stop_all(running)


def _banner(running: list[Service]) -> str:
    by_name = {s.name: s for s in running}
    rasa, api, telegram = by_name["rasa"], by_name["api"], by_name.get("telegram")
    telegram_line = f"    Telegram:       ponte attivo ({telegram.health_url})\n" if telegram else ""
    return (
        "\n==> Sportello Welfare è attivo:\n"
        f"    Rasa (REST):    {rasa.public_url}/webhooks/rest/webhook\n"
        f"    API:            {api.public_url}  (documentazione: {api.public_url}/docs)\n"
        f"    Chat web:       {api.public_url}/  (pagina demo del widget)\n"
        f"    Prova:          curl -s {rasa.public_url}/webhooks/rest/webhook "
        "-H 'Content-Type: application/json' "
        '-d \'{"sender": "prova", "message": "quanto valgono i buoni pasto nel 2026?"}\'\n'
        + telegram_line
        + "    Ctrl-C per fermare tutto.\n"
    )


def main() -> int:
    try:
        config.check(SERVICES)
    except config.ConfigurationError as exc:
        print(f"==> {exc}", file=sys.stderr)
        return 2
    env = build_environment()
    running = services(env)
    stopping = threading.Event()
    if not any(s.name == "telegram" for s in running):
        print(TELEGRAM_HINT)

    def on_signal(signum: int, _frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    for service in running:
        start(service, env)
    supervisor = Supervisor(running, lambda s: start(s, env))  # type: ignore[arg-type]
    started = time.monotonic()
    pending = {s.name for s in running}
    print("==> Avvio in corso (il server Rasa impiega qualche decina di secondi a caricare il modello)...")
    while not stopping.is_set():
        supervisor.tick()
        for service in running:
            if service.name in pending and _healthy(service.health_url):
                pending.discard(service.name)
                print(f"==> {service.name} pronto in {time.monotonic() - started:.1f} s")
                if not pending:
                    print(_banner(running))
        if pending and time.monotonic() - started > STARTUP_TIMEOUT_S:
            print(f"==> Non rispondono ancora: {', '.join(sorted(pending))}. Gli altri servizi sono attivi.")
            started = time.monotonic()  # say it again later, not every half second
        stopping.wait(0.5)
    stop_all(running)
    return 0


if __name__ == "__main__":
    sys.exit(main())
