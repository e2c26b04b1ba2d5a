"""Benchmark the ticket store through the API: `python -m scripts.bench_tickets`.

On SQLite (a temporary file) and on PostgreSQL (a schema made for the run and dropped
at the end; skipped when the server is down) it measures:

- ticket creation throughput through the API (in-process ASGI client, a fresh
  Idempotency-Key per request), one client and several at once;
- the operator queue with 15,000 seeded tickets: the first page and a deep page
  (keyset cursor), time per request and SQL statements per request (counted with a
  SQLAlchemy `before_cursor_execute` listener). Aim: ≤ 100 ms and ≤ 5 statements.

`--explain` prints each page's query plan. Figures go to stdout (Markdown) for
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, event, insert, select, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from api.db import temporary_schema
from api.main import create_app
from api.settings import Settings
from api.tickets.models import Ticket, TicketCounter
from api.tickets.numbering import format_number, number_year
from api.tickets.queries import Cursor, TicketFilters
from api.tickets.states import OPEN, TicketStatus

TOKEN = "bench-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
DEFAULT_POSTGRES_URL = os.environ.get(
    "SPORTELLO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# A queue that has lived for a year: most tickets are done, some are waiting.
STATUS_WEIGHTS = {
    TicketStatus.CHIUSO: 55,
    TicketStatus.RISOLTO: 15,
    TicketStatus.NUOVO: 12,
    TicketStatus.IN_CARICO: 8,
    TicketStatus.IN_ATTESA_UTENTE: 7,
    TicketStatus.RIAPERTO: 3,
}
CHANNELS = ("telegram", "webchat", "rest")


def ticket_payload(i: int) -> dict[str, Any]:
    return {
        "channel": "telegram",
        "conversation_id": f"telegram:{100000 + i}",
        "contact": {"name": "Anna Rossi", "email": "anna.rossi@example.it", "via_chat": True},
        "role": "lavoratore",
        "company": "Cooperativa Il Melo",
        "description": "I buoni pasto elettronici sono esenti fino a 10 euro anche nel 2026?",
        "consent_at": "2026-03-02T09:15:00Z",
        "privacy_notice_version": "2026-01",
        "transcript": _transcript(datetime(2026, 3, 2, 9, 10, tzinfo=timezone.utc)),
        "slots": {"faq_topic": "buoni_pasto", "role": "lavoratore"},
    }


def _transcript(start: datetime) -> list[dict[str, Any]]:
    turns = []
    for n in range(4):
        at = (start + timedelta(seconds=30 * n)).isoformat()
        turns.append({"who": "user", "text": "quanto valgono i buoni pasto nel 2026?", "at": at, "intent": "faq"})
        turns.append({"who": "bot", "text": "Forse intendevi: buoni pasto, mensa aziendale… " * 3, "at": at})
    return turns


@dataclass
class StatementCounter:
    """Every SQL statement the engine sends, since the last reset."""

    statements: list[tuple[str, Any]] = field(default_factory=list)

    def __call__(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        self.statements.append((statement, parameters))

    def reset(self) -> None:
        self.statements.clear()


@contextmanager
def postgres_schema(base_url: str) -> Iterator[str | None]:
    """A schema of its own on the PostgreSQL server, or None (and a line saying so) when it is down."""
    try:
        with temporary_schema(base_url, "bench_tickets") as url:
            yield url
    except OperationalError as exc:
        print(f"PostgreSQL non raggiungibile ({exc.orig}): salto.")
        yield None


def creation_throughput(client: TestClient, app: Any, total: int, workers: int, offset: int) -> float:
    """Tickets created per second through the API."""

    def create(i: int, own: TestClient) -> None:
        headers = {**AUTH, "Idempotency-Key": f"bench-{offset + i}"}
        response = own.post("/api/v1/tickets", json=ticket_payload(offset + i), headers=headers)
        if response.status_code != 201:
            raise RuntimeError(f"creazione fallita: {response.status_code} {response.text[:200]}")

    started = time.perf_counter()
    if workers == 1:
        for i in range(total):
            create(i, client)
    else:
        local = threading.local()

        def run(i: int) -> None:
            if not hasattr(local, "client"):
                local.client = TestClient(app)  # the app is started by `client`
            create(i, local.client)

        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(run, range(total)))
    return total / (time.perf_counter() - started)


def seed(engine: Engine, target: int, rng: random.Random) -> None:
    """Bring the store to `target` tickets spread over the past year (bulk insert, not the API)."""
    with Session(engine) as session:
        present = session.scalar(select(Ticket.id).order_by(Ticket.id.desc()).limit(1)) or 0
        counters = {row.year: row.last for row in session.scalars(select(TicketCounter))}
    now = datetime.now(timezone.utc)
    moments = sorted(now - timedelta(seconds=rng.uniform(3600, 365 * 86400)) for _ in range(target - present))
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    rows = []
    for i, created in enumerate(moments):
        year = number_year(created)
        counters[year] = counters.get(year, 0) + 1
        status = rng.choices(statuses, weights)[0]
        rows.append(
            {
                "number": format_number(year, counters[year]),
                "status": status.value,
                "priority": "normale",
                "channel": rng.choice(CHANNELS),
                "conversation_id": f"seed:{i}",
                "contact_name": "Utente di prova",
                "contact_email": "utente@example.it",
                "contact_phone": None,
                "contact_via_chat": False,
                "role": "lavoratore",
                "company": None,
                "description": "Domanda sul premio di risultato convertito in welfare.",
                "consent_at": created,
                "privacy_notice_version": "2026-01",
                "transcript": _transcript(created),
                "slots": {"faq_topic": "premio_risultato"},
                "assignee": None,
                "idempotency_key": f"seed-{i}",
                "request_hash": "0" * 64,
                "created_at": created,
                "updated_at": created,
                "first_response_at": None if status is TicketStatus.NUOVO else created,
                "resolved_at": created if status in (TicketStatus.RISOLTO, TicketStatus.CHIUSO) else None,
            }
        )
    with engine.begin() as connection:
        for start in range(0, len(rows), 1000):
            connection.execute(insert(Ticket), rows[start : start + 1000])
        for year, last in counters.items():
            changed = connection.execute(update(TicketCounter).where(TicketCounter.year == year).values(last=last))
            if changed.rowcount == 0:
                connection.execute(insert(TicketCounter).values(year=year, last=last))


def deep_cursor(engine: Engine, filters: TicketFilters, depth: float) -> tuple[str, int]:
    """The cursor after the ticket at `depth` (0..1) of the filtered queue, and its position."""
    with Session(engine) as session:
        ordered = select(Ticket.created_at, Ticket.id).where(*filters.conditions())
        total = len(session.execute(ordered).all())
        position = max(0, int(total * depth) - 1)
        row = session.execute(ordered.order_by(Ticket.created_at, Ticket.id).offset(position).limit(1)).one()
    return Cursor(created_at=row.created_at, id=row.id).encode(), position + 1


def explain(engine: Engine, statement: str, parameters: Any) -> str:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
            return "\n".join(f"    {row[-1]}" for row in rows)
        rows = connection.exec_driver_sql(f"EXPLAIN ANALYZE {statement}", parameters).all()
        return "\n".join(f"    {row[0]}" for row in rows)


def time_page(
    client: TestClient, counter: StatementCounter, params: dict[str, Any], repeat: int
) -> tuple[float, float, int, int]:
    """Median and worst ms, statements per request, items returned."""
    times, statements, items = [], set(), 0
    for i in range(repeat + 2):
        counter.reset()
        started = time.perf_counter()
        response = client.get("/api/v1/tickets", params=params, headers=AUTH)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"pagina fallita: {response.status_code} {response.text[:200]}")
        if i >= 2:  # two warm-up requests
            times.append(elapsed)
            statements.add(len(counter.statements))
            items = len(response.json()["items"])
    return statistics.median(times), max(times), max(statements), items


def bench_backend(name: str, database_url: str, args: argparse.Namespace) -> list[str]:
    rows: list[str] = []
    rng = random.Random(7)
    settings = Settings(
        var_dir=Path(tempfile.mkdtemp(prefix="bench-tickets-var-")),
        database_url=database_url,
        service_token=SecretStr(TOKEN),
    )
    app = create_app(settings)
    with TestClient(app) as client:
        engine: Engine = app.state.engine
        # The API's tickets come last, so the store holds `--tickets` in all and creation
        # is measured on a store that is nearly full.
        seed(engine, args.tickets - 2 * args.creations, rng)
        sequential = creation_throughput(client, app, args.creations, 1, 0)
        concurrent = creation_throughput(client, app, args.creations, args.workers, args.creations)
        print(f"{name}: creazione {sequential:.0f} ticket/s (1 client), {concurrent:.0f} ({args.workers} client)")
        rows.append(f"| {name} | creation | 1 client: {sequential:.0f}/s; {args.workers} clients: {concurrent:.0f}/s |")
        # Statistics and visibility map as autovacuum (PostgreSQL) or a maintenance job keeps them.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
        counter = StatementCounter()
        event.listen(engine, "before_cursor_execute", counter)
        open_statuses = [status.value for status in TicketStatus if status in OPEN]
        scenarios: list[tuple[str, dict[str, Any], TicketFilters]] = [
            ("all", {}, TicketFilters()),
            ("status=nuovo", {"status": "nuovo"}, TicketFilters(statuses=(TicketStatus.NUOVO,))),
            (
                "open (4 statuses)",
                {"status": open_statuses},
                TicketFilters(statuses=tuple(TicketStatus(s) for s in open_statuses)),
            ),
            (
                "telegram, > 24 h",
                {"channel": "telegram", "older_than_hours": 24},
                TicketFilters(channel="telegram", created_before=datetime.now(timezone.utc) - timedelta(hours=24)),
            ),
        ]
        for label, params, filters in scenarios:
            cursor, position = deep_cursor(engine, filters, 0.9)
            pages: list[tuple[str, dict[str, Any]]] = [
                ("first page", {}),
                (f"page at #{position + 1}", {"cursor": cursor}),
            ]
            for page, extra in pages:
                query = {**params, **extra, "limit": args.page_size}
                median, worst, statements, items = time_page(client, counter, query, args.repeat)
                print(f"{name}: {label}, {page}: {median:.1f} ms (max {worst:.1f}), {statements} SQL, {items} righe")
                rows.append(f"| {name} | {label}, {page} | {median:.1f} ms (max {worst:.1f}), {statements} SQL |")
                if args.explain:  # the page's SELECT, then the counts
                    for statement in list(counter.statements):
                        print(explain(engine, *statement))
        event.remove(engine, "before_cursor_execute", counter)
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tickets", type=int, default=15_000, help="tickets in the store for the queue figures")
    parser.add_argument("--creations", type=int, default=300, help="tickets created through the API per run")
    parser.add_argument("--workers", type=int, default=8, help="clients creating at once in the concurrent run")
    parser.add_argument("--page-size", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per page")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--explain", action="store_true", help="print each page's query plan")
    args = parser.parse_args(argv)

    rows: list[str] = []
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if "sqlite" in backends:
        with tempfile.TemporaryDirectory(prefix="bench-tickets-") as tmp:
            rows += bench_backend("SQLite", f"sqlite:///{Path(tmp) / 'tickets.db'}", args)
    if "postgresql" in backends:
        with postgres_schema(args.postgres_url) as url:
            if url is not None:
                rows += bench_backend("PostgreSQL", url, args)
    print(f"\n{args.tickets} ticket, pagine da {args.page_size}, mediana di {args.repeat} richieste:\n")
    print("| database | measure | figure |\n|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
