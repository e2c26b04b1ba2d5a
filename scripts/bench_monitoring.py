"""Benchmark the monitoring store: `python -m scripts.bench_monitoring` (part of `make bench`).

On PostgreSQL (a schema made for the run and dropped at the end; skipped when the server
is down) and on SQLite (a temporary file), with a year of traffic seeded in bulk
(1,000,000 user turns by default, about 250,000 conversations, the daily counters
rebuilt from them with the same functions ingest uses), it measures through the API:

- the whole dashboard (`GET /api/v1/monitoring/dashboard`) for a year and for 30 days,
  time per request and SQL statements per request; aim ≤ 300 ms on PostgreSQL;
- one table as CSV, and the review inbox (the newest 2,000 pending messages, grouped);
- ingest: events per second through `POST /api/v1/monitoring/events` (batches of 200,
  as the Rasa server's broker sends them).

Figures go to stdout (Markdown) for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, event, insert, text
from sqlalchemy.orm import Session

from api.main import create_app
from api.monitoring import aggregates, outcomes
from api.monitoring.days import day_start, local_day
from api.monitoring.models import MonitoredConversation, MonitoredTurn
from api.settings import Settings
from scripts.bench_tickets import DEFAULT_POSTGRES_URL, StatementCounter, postgres_schema

TOKEN = "bench-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CHANNELS = {"webchat": 50, "telegram": 30, "rest": 20}
OUTCOME_WEIGHTS = {
    outcomes.ANSWERED: 45,
    outcomes.OTHER: 20,
    outcomes.PROPOSED: 12,
    outcomes.NOT_UNDERSTOOD: 8,
    outcomes.SELECTED: 6,
    outcomes.OUT_OF_SCOPE: 4,
    outcomes.OPERATOR: 3,
    outcomes.ESCALATED: 2,
}
TOPICS = [f"argomento_{n:02d}" for n in range(70)]
SUBJECTS = ["buoni pasto", "fringe benefit", "premio di risultato", "asilo nido", "veterinario", "palestra", "mutuo"]
FORMS = ["posso pagare {s} col welfare?", "{s} 2026 quanto vale", "come funziona {s} in busta paga", "{s} e tasse"]


def _turn(rng: random.Random, turn_id: int, conversation: dict[str, Any], at: datetime) -> dict[str, Any]:
    outcome = rng.choices(list(OUTCOME_WEIGHTS), list(OUTCOME_WEIGHTS.values()))[0]
    top, second = rng.sample(TOPICS, 2)
    confidence = rng.random()
    faq = outcome in (outcomes.ANSWERED, outcomes.PROPOSED, outcomes.NOT_UNDERSTOOD)
    answered = top if outcome in (outcomes.ANSWERED, outcomes.SELECTED) else None
    vote = rng.choice(("up", "up", "down")) if answered and rng.random() < 0.1 else None
    reasons = []
    if outcome == outcomes.NOT_UNDERSTOOD:
        reasons.append(outcomes.REASON_NOT_UNDERSTOOD)
    if outcome == outcomes.ANSWERED and confidence < 0.6:
        reasons.append(outcomes.REASON_LOW_CONFIDENCE)
    if vote == "down":
        reasons.append(outcomes.REASON_DOWN_VOTE)
    return {
        "id": turn_id,
        "conversation_id": conversation["id"],
        "event_key": f"{turn_id:064x}",
        "at": at,
        "day": local_day(at),
        "channel": conversation["channel"],
        "text": rng.choice(FORMS).format(s=rng.choice(SUBJECTS)),
        "intent": "faq" if faq else "greet",
        "intent_confidence": 0.9,
        "topic_id": top,
        "topic_confidence": confidence if faq else None,
        "runner_up_id": second,
        "runner_up_confidence": (1 - confidence) / 2,
        "outcome": outcome,
        "answered_topic": answered,
        "proposed_topics": ",".join(rng.sample(TOPICS, 3)) if outcome == outcomes.PROPOSED else None,
        "vote": vote,
        "response_ms": rng.randint(150, 900),
        "review": outcomes.PENDING if reasons else None,
        "review_reasons": ",".join(reasons) or None,
    }


def generate(rng: random.Random, turns: int, today: date) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A year of conversations (1-7 turns each) ending yesterday, spread over the days."""
    first = today - timedelta(days=365)
    conversations: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    channels, weights = list(CHANNELS), list(CHANNELS.values())
    while len(rows) < turns:
        started = day_start(first) + timedelta(seconds=rng.uniform(0, 365 * 86400))
        conversation: dict[str, Any] = {
            "id": len(conversations) + 1,
            "pseudonym": f"{len(conversations):064x}",
            "channel": rng.choices(channels, weights)[0],
            "started_at": started,
            "day": local_day(started),
            "turns": 0,
            "escalated": False,
            "has_ticket": False,
        }
        at = started
        for _ in range(min(rng.randint(1, 7), turns - len(rows))):
            at += timedelta(seconds=rng.uniform(5, 120))
            row = _turn(rng, len(rows) + 1, conversation, at)
            rows.append(row)
            conversation["turns"] += 1
            conversation["escalated"] |= row["outcome"] == outcomes.ESCALATED
        conversation["has_ticket"] = conversation["escalated"] and rng.random() < 0.8
        conversation["last_event_at"] = at
        conversations.append(conversation)
    return conversations, rows


def _copy(engine: Engine, table: str, rows: list[dict[str, Any]]) -> None:
    columns = list(rows[0])
    if engine.dialect.name != "postgresql":
        model = MonitoredTurn if table == "monitoring_turns" else MonitoredConversation
        with engine.begin() as connection:
            for start in range(0, len(rows), 20_000):
                connection.execute(insert(model), rows[start : start + 20_000])
        return
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {len(rows)})")
        raw.commit()
    finally:
        raw.close()


def seed(engine: Engine, turns: int, rng: random.Random, today: date) -> float:
    started = time.perf_counter()
    conversations, rows = generate(rng, turns, today)
    _copy(engine, "monitoring_conversations", conversations)
    _copy(engine, "monitoring_turns", rows)
    with Session(engine) as session:
        aggregates.rebuild(session, today - timedelta(days=366), today)
        session.commit()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    return time.perf_counter() - started


def timed(
    client: TestClient, counter: StatementCounter, url: str, params: dict[str, str], repeat: int
) -> tuple[float, float, int]:
    """Median and worst ms, and SQL statements, of `repeat` requests (after two warm-ups)."""
    times, statements = [], 0
    for i in range(repeat + 2):
        counter.reset()
        begin = time.perf_counter()
        response = client.get(url, params=params, headers=AUTH)
        elapsed = (time.perf_counter() - begin) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code} {response.text[:200]}")
        if i >= 2:
            times.append(elapsed)
            statements = max(statements, len(counter.statements))
    return statistics.median(times), max(times), statements


def broker_events(turns: int, start: datetime) -> list[dict[str, Any]]:
    """What the Rasa server's broker sends for `turns` FAQ questions (answered, proposed, missed)."""
    events: list[dict[str, Any]] = []
    at = start.timestamp()
    for n in range(turns):
        sender = f"bench:{n // 10}"
        at += 5
        ranking = [{"intent_response_key": f"faq/{TOPICS[(n + k) % 70]}", "confidence": 0.8 - k / 4} for k in range(3)]
        events.append(
            {
                "sender_id": sender,
                "event": "user",
                "timestamp": at,
                "text": f"domanda {n} sui buoni pasto",
                "message_id": f"bench-{n}",
                "metadata": {},
                "parse_data": {
                    "intent": {"name": "faq", "confidence": 0.9},
                    "response_selector": {"faq": {"ranking": ranking}},
                },
            }
        )
        events.append({"sender_id": sender, "event": "action", "name": "action_answer_faq", "timestamp": at})
        if n % 3 == 0:
            events.append(
                {
                    "sender_id": sender,
                    "event": "slot",
                    "name": "last_answered_topic",
                    "value": TOPICS[n % 70],
                    "timestamp": at,
                }
            )
        elif n % 3 == 1:
            events.append(
                {"sender_id": sender, "event": "slot", "name": "last_suggestions", "value": TOPICS[:3], "timestamp": at}
            )
        events.append({"sender_id": sender, "event": "bot", "metadata": {}, "timestamp": at + 0.3})
    return events


def ingest_rate(client: TestClient, turns: int) -> float:
    """Events per second through the API, in the broker's batches of 200."""
    events = broker_events(turns, datetime.now(timezone.utc) - timedelta(hours=1))
    begin = time.perf_counter()
    for start in range(0, len(events), 200):
        response = client.post("/api/v1/monitoring/events", json={"events": events[start : start + 200]}, headers=AUTH)
        if response.status_code != 200:
            raise RuntimeError(f"ingest: {response.status_code} {response.text[:200]}")
    return len(events) / (time.perf_counter() - begin)


def bench_backend(name: str, database_url: str, args: argparse.Namespace) -> list[str]:
    rng = random.Random(11)
    settings = Settings(
        var_dir=Path(tempfile.mkdtemp(prefix="bench-monitoring-var-")),
        database_url=database_url,
        service_token=SecretStr(TOKEN),
    )
    app = create_app(settings)
    rows: list[str] = []
    today = local_day(datetime.now(timezone.utc))
    with TestClient(app) as client:
        engine: Engine = app.state.engine
        seconds = seed(engine, args.turns, rng, today)
        print(f"{name}: {args.turns} turni seminati in {seconds:.0f} s (contatori ricostruiti)")
        counter = StatementCounter()
        event.listen(engine, "before_cursor_execute", counter)
        year = {"start": (today - timedelta(days=364)).isoformat(), "end": today.isoformat()}
        month = {"start": (today - timedelta(days=29)).isoformat(), "end": today.isoformat()}
        measures = [
            ("dashboard, 1 year", "/api/v1/monitoring/dashboard", year),
            ("dashboard, 30 days", "/api/v1/monitoring/dashboard", month),
            ("CSV of one table, 1 year", "/api/v1/monitoring/export/argomenti", year),
            ("review inbox, 30 days", "/api/v1/monitoring/review", month),
        ]
        for label, url, params in measures:
            median, worst, statements = timed(client, counter, url, params, args.repeat)
            print(f"{name}: {label}: {median:.1f} ms (max {worst:.1f}), {statements} SQL")
            rows.append(f"| {name} | {label} | {median:.1f} ms (max {worst:.1f}), {statements} SQL |")
        event.remove(engine, "before_cursor_execute", counter)
        rate = ingest_rate(client, args.ingest_turns)
        print(f"{name}: ingest {rate:.0f} eventi/s")
        rows.append(f"| {name} | ingest (batches of 200 events) | {rate:.0f} events/s |")
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--turns", type=int, default=1_000_000, help="user turns seeded over a year")
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per measure")
    parser.add_argument("--ingest-turns", type=int, default=2000, help="turns sent through the API for the ingest rate")
    parser.add_argument("--backends", default="postgresql,sqlite")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    args = parser.parse_args(argv)

    rows: list[str] = []
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if "postgresql" in backends:
        with postgres_schema(args.postgres_url) as url:
            if url is not None:
                rows += bench_backend("PostgreSQL", url, args)
    if "sqlite" in backends:
        with tempfile.TemporaryDirectory(prefix="bench-monitoring-") as tmp:
            rows += bench_backend("SQLite", f"sqlite:///{Path(tmp) / 'monitoring.db'}", args)
    print(f"\n{args.turns} turni in un anno, mediana di {args.repeat} richieste:\n")
    print("| database | measure | figure |\n|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
