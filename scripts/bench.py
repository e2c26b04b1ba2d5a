"""Benchmark the assistant through its REST channel: `make bench`.

Measures training time (a fresh, forced training run), server start time,
turn latency (sequential, and with concurrent conversations) and the resident
memory of the Rasa and action servers, then appends a dated row to
docs/benchmarks.md. Traffic goes only to 127.0.0.1 and every loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import httpx
import yaml

from scripts.run_all import ROOT, Service, build_environment, services, start, stop_all
from sportello.benchmarks_doc import append_row
from sportello.machine import machine_description

HELDOUT = ROOT / "bot" / "eval" / "heldout.yml"
START_TIMEOUT_S = 240


def _questions() -> list[str]:
    data = yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))
    return [item["text"] for item in data["in_scope"]] + list(data["out_of_scope"])


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def _rss_mib(pid: int) -> float:
    """Resident memory of a process and its children, from /proc."""
    total_kib = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        status = Path(f"/proc/{p}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kib += int(line.split()[1])
    return total_kib / 1024


def train_seconds() -> float:
    out = Path(tempfile.mkdtemp(prefix="sportello-bench-"))
    try:
        started = time.monotonic()
        subprocess.run(
            [
                str(ROOT / ".venv-bot/bin/rasa"),
                "train",
                "--config",
                "config.yml",
                "--domain",
                "domain.yml",
                "--data",
                "bot/data",
                "--out",
                str(out),
                "--force",
                "--quiet",
            ],
            cwd=ROOT,
            check=True,
            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
            stdout=subprocess.DEVNULL,
        )
        return time.monotonic() - started
    finally:
        shutil.rmtree(out, ignore_errors=True)


def _answers(url: str) -> bool:
    try:
        request = urllib.request.Request(
            url, data=b'{"sender": "bench-start", "message": "ciao"}', headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=5) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


async def _conversation(client: httpx.AsyncClient, url: str, sender: str, texts: list[str]) -> list[float]:
    latencies = []
    for text in texts:
        started = time.perf_counter()
        resp = await client.post(url, json={"sender": sender, "message": text})
        resp.raise_for_status()
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


async def measure_latency(
    url: str, questions: list[str], turns: int, conversations: int, length: int
) -> tuple[list[float], list[float]]:
    limits = httpx.Limits(max_connections=conversations + 5)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        await _conversation(client, url, "bench-warmup", questions[:5])
        # Real conversations are a handful of turns: Rasa loads and ships the whole
        # tracker every turn, so one 200-turn conversation would measure its growth.
        sequential = []
        for start_at in range(0, turns, length):
            batch = questions[start_at : min(start_at + length, turns)]
            sequential += await _conversation(client, url, f"bench-seq-{start_at}", batch)
        per_conversation = max(1, turns // conversations)
        batches = [
            questions[i * per_conversation : (i + 1) * per_conversation] or questions[:per_conversation]
            for i in range(conversations)
        ]
        results = await asyncio.gather(
            *(_conversation(client, url, f"bench-conc-{i}", batch) for i, batch in enumerate(batches))
        )
    return sequential, [lat for conv in results for lat in conv]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=200, help="turni misurati in sequenza (e in totale in parallelo)")
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--length", type=int, default=10, help="turni per conversazione nella misura in sequenza")
    parser.add_argument("--no-train", action="store_true", help="salta la misura del tempo di addestramento")
    parser.add_argument("--no-record", action="store_true", help="non scrivere in docs/benchmarks.md")
    args = parser.parse_args(argv)

    training = None if args.no_train else train_seconds()
    if training is not None:
        print(f"Addestramento completo: {training:.0f} s")

    env = build_environment()
    scratch = tempfile.mkdtemp(prefix="sportello-bench-")
    env["SPORTELLO_TRACKER_URL"] = f"sqlite:///{scratch}/tracker.db"
    env["SPORTELLO_DATABASE_URL"] = f"sqlite:///{scratch}/sportello.db"
    # The API too: every turn asks it who owns the conversation and sends it the monitoring events.
    wanted: list[Service] = [s for s in services(env) if s.name in ("azioni", "rasa", "api")]
    started = time.monotonic()
    for service in wanted:
        start(service, env)
    url = next(s for s in wanted if s.name == "rasa").public_url + "/webhooks/rest/webhook"
    try:
        while not _answers(url):
            if time.monotonic() - started > START_TIMEOUT_S or any(
                s.process and s.process.poll() is not None for s in wanted
            ):
                print("Il server non risponde: benchmark interrotto.", file=sys.stderr)
                return 1
            time.sleep(0.25)
        start_s = time.monotonic() - started
        questions = _questions()
        sequential, concurrent = asyncio.run(
            measure_latency(url, questions, args.turns, args.conversations, args.length)
        )
        rss = sum(_rss_mib(s.process.pid) for s in wanted if s.process and s.name != "api")
        rasa_rss = _rss_mib(next(s for s in wanted if s.name == "rasa").process.pid)  # type: ignore[union-attr]
    finally:
        stop_all(wanted)

    figures = {
        "seq_p50": statistics.median(sequential),
        "seq_p95": _percentile(sequential, 95),
        "conc_p50": statistics.median(concurrent),
        "conc_p95": _percentile(concurrent, 95),
    }
    print(f"Avvio (fino alla prima risposta): {start_s:.1f} s")
    print(
        f"Latenza in sequenza ({len(sequential)} turni): "
        f"p50 {figures['seq_p50']:.0f} ms, p95 {figures['seq_p95']:.0f} ms"
    )
    print(
        f"Latenza con {args.conversations} conversazioni in parallelo ({len(concurrent)} turni): "
        f"p50 {figures['conc_p50']:.0f} ms, p95 {figures['conc_p95']:.0f} ms"
    )
    print(f"Memoria residente: Rasa {rasa_rss:.0f} MiB, Rasa + azioni {rss:.0f} MiB")
    if not args.no_record:
        row = (
            f"| {time.strftime('%Y-%m-%d')} | {machine_description()} | "
            f"{figures['seq_p50']:.0f} | {figures['seq_p95']:.0f} | "
            f"{figures['conc_p50']:.0f} | {figures['conc_p95']:.0f} | {start_s:.1f} | {rasa_rss:.0f} | {rss:.0f} | "
            f"{'' if training is None else f'{training:.0f}'} |\n"
        )
        append_row(ROOT / "docs" / "benchmarks.md", "REST channel", row)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
