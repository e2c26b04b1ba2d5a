"""Start the whole assistant locally and stop it cleanly on Ctrl-C.

Runs the action server, the Rasa server and the FastAPI app, each in its own
environment (plus the Telegram bridge when SPORTELLO_TELEGRAM_TOKEN is set), waits
until all answer, prints their URLs, and forwards Ctrl-C.
If one dies, the others are stopped too: a half-running assistant only confuses.
Standard library only, so it runs before anything else is installed.
"""

from __future__ import annotations

import os
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
from pathlib import Path

from sportello.var_secrets import persistent_secret

ROOT = Path(__file__).resolve().parents[1]
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
    health_url: str
    public_url: str
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)


def _persistent_secret(env: Mapping[str, str], env_name: str, var_dir: Path, file_name: str) -> str:
    """The secret from the environment, else one generated once and kept in .var/."""
    return env.get(env_name) or persistent_secret(var_dir, file_name)


def build_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The children's environment: `base` (default: ours) plus embedded defaults."""
    env = dict(os.environ if base is None else base)
    var_dir = Path(env.get("SPORTELLO_VAR_DIR", ROOT / ".var"))
    var_dir.mkdir(parents=True, exist_ok=True)
    env.setdefault("SPORTELLO_VAR_DIR", str(var_dir))
    env.setdefault("SPORTELLO_ACTIONS_PORT", "5055")
    env.setdefault("SPORTELLO_ACTIONS_URL", f"http://127.0.0.1:{env['SPORTELLO_ACTIONS_PORT']}/webhook")
    env.setdefault("SPORTELLO_TRACKER_DIALECT", "sqlite")
    env.setdefault("SPORTELLO_TRACKER_URL", f"sqlite:///{var_dir / 'tracker.db'}")
    env.setdefault("SPORTELLO_API_URL", f"http://127.0.0.1:{env.get('SPORTELLO_API_PORT', '8000')}")
    # The Telegram bridge talks to Rasa's REST channel.
    env.setdefault("SPORTELLO_RASA_URL", f"http://127.0.0.1:{env.get('SPORTELLO_RASA_PORT', '5005')}")
    env["SPORTELLO_SERVICE_TOKEN"] = _persistent_secret(env, "SPORTELLO_SERVICE_TOKEN", var_dir, "service_token")
    env["SPORTELLO_BUTTON_SECRET"] = _persistent_secret(env, "SPORTELLO_BUTTON_SECRET", var_dir, "button_secret")
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    # TensorFlow's C++ start-up chatter hides the lines that matter.
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


def services(env: dict[str, str]) -> list[Service]:
    bot = ROOT / ".venv-bot" / "bin"
    app = ROOT / ".venv-app" / "bin"
    actions_port = env.get("SPORTELLO_ACTIONS_PORT", "5055")
    rasa_port = env.get("SPORTELLO_RASA_PORT", "5005")
    api_port = env.get("SPORTELLO_API_PORT", "8000")
    model = env.get("SPORTELLO_MODEL", str(ROOT / "models" / "sportello.tar.gz"))
    result = [
        Service(
            "azioni",
            [str(bot / "rasa"), "run", "actions", "--actions", "bot.actions", "--port", actions_port],
            f"http://127.0.0.1:{actions_port}/health",
            f"http://127.0.0.1:{actions_port}",
        ),
        Service(
            "api",
            [str(app / "uvicorn"), "api.main:app", "--host", "127.0.0.1", "--port", api_port],
            f"http://127.0.0.1:{api_port}/api/v1/health",
            f"http://127.0.0.1:{api_port}",
        ),
        Service(
            "rasa",
            [
                str(bot / "rasa"),
                "run",
                "--model",
                model,
                "--credentials",
                "credentials.yml",
                "--endpoints",
                "endpoints.yml",
                "--interface",
                "127.0.0.1",
                "--port",
                rasa_port,
            ],
            f"http://127.0.0.1:{rasa_port}/webhooks/rest/",
            f"http://127.0.0.1:{rasa_port}",
        ),
    ]
    if env.get("SPORTELLO_TELEGRAM_TOKEN"):
        telegram_port = env.get("SPORTELLO_TELEGRAM_PORT", "8081")
        result.append(
            Service(
                "telegram",
                [str(app / "python"), "-m", "connectors.telegram"],
                f"http://127.0.0.1:{telegram_port}/health",
                f"http://127.0.0.1:{telegram_port}",
            )
        )
    return result


def _pump(name: str, stream: object) -> None:
    for raw in iter(stream.readline, b""):  # type: ignore[attr-defined]
        sys.stdout.write(f"[{name}] {raw.decode(errors='replace')}")
        sys.stdout.flush()


def _healthy(url: str) -> bool:
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


def free_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return str(sock.getsockname()[1])


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


def main() -> int:
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
    started = time.monotonic()
    pending = {s.name for s in running}
    print("==> Avvio in corso (il server Rasa impiega qualche decina di secondi a caricare il modello)...")
    while pending and not stopping.is_set():
        for service in running:
            if service.process is not None and service.process.poll() is not None:
                print(f"==> Il servizio «{service.name}» si è fermato (codice {service.process.returncode}).")
                stop_all(running)
                return 1
            if service.name in pending and _healthy(service.health_url):
                pending.discard(service.name)
                print(f"==> {service.name} pronto in {time.monotonic() - started:.1f} s")
        if time.monotonic() - started > STARTUP_TIMEOUT_S:
            print(f"==> Tempo scaduto: non rispondono {', '.join(sorted(pending))}.")
            stop_all(running)
            return 1
        time.sleep(0.5)

    if not stopping.is_set():
        rasa = next(s for s in running if s.name == "rasa")
        api = next(s for s in running if s.name == "api")
        telegram = next((s for s in running if s.name == "telegram"), None)
        telegram_line = f"    Telegram:       ponte attivo ({telegram.health_url})\n" if telegram else ""
        print(
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
    while not stopping.is_set():
        for service in running:
            if service.process is not None and service.process.poll() is not None:
                print(f"==> Il servizio «{service.name}» si è fermato (codice {service.process.returncode}).")
                stop_all(running)
                return 1
        stopping.wait(1.0)
    stop_all(running)
    return 0


if __name__ == "__main__":
    sys.exit(main())
