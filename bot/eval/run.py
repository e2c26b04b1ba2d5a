"""Evaluate a trained model on the held-out questions: `python -m bot.eval.run`.

Each question goes through the NLU and then through the same decision the
actions take (bot.actions.decision), so the figures describe what users get:
a direct answer, a list of suggested topics, or an out-of-scope reply.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import os
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.actions.decision import Thresholds, decide, faq_candidates
from bot.actions.settings import get_settings
from bot.eval.machine import machine_description
from bot.kb.loader import REPO_ROOT, load_knowledge_base

HELDOUT_FILE = REPO_ROOT / "bot" / "eval" / "heldout.yml"
BENCHMARKS_FILE = REPO_ROOT / "docs" / "benchmarks.md"
# What the assistant does with a message that is not a FAQ question.
NOT_ANSWERED_OUTCOMES = {"out_of_scope", "suggest", "not_understood"}


@dataclass(frozen=True)
class Outcome:
    kind: str  # "answer", "suggest", "not_understood" or the non-FAQ intent's name
    topic: str | None
    top_topic: str | None
    suggestions: tuple[str, ...] = ()


def outcome_of(parse: dict[str, Any], thresholds: Thresholds, known: Any) -> Outcome:
    intent = (parse.get("intent") or {}).get("name")
    candidates = faq_candidates(parse, known=known)
    top = candidates[0].topic_id if candidates else None
    if intent not in ("faq", "nlu_fallback"):
        return Outcome(str(intent), None, top)
    decision = decide(candidates, thresholds)
    if intent == "nlu_fallback" and decision.kind == "answer":
        # ActionSuggestTopics never answers: it proposes the best topic instead.
        return Outcome("suggest", None, top, (top,) if top else ())
    suggestions = tuple(c.topic_id for c in decision.suggestions)
    return Outcome(decision.kind, decision.topic.topic_id if decision.topic else None, top, suggestions)


@dataclass
class Report:
    model: str
    in_scope: int = 0
    routed_correct: int = 0  # intent faq and best topic right
    answered_correct: int = 0
    answered_wrong: int = 0
    suggested_with_right_topic: int = 0
    out_of_scope: int = 0
    oos_handled: int = 0
    per_topic: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    oos_outcomes: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    def ratio(self, part: int, whole: int) -> float:
        return part / whole if whole else 0.0

    @property
    def accuracy(self) -> float:
        return self.ratio(self.routed_correct, self.in_scope)

    @property
    def oos_rate(self) -> float:
        return self.ratio(self.oos_handled, self.out_of_scope)

    def summary(self) -> dict[str, Any]:
        return {
            "in_scope": self.in_scope,
            "accuracy": round(self.accuracy, 4),
            "answered_correct": round(self.ratio(self.answered_correct, self.in_scope), 4),
            "answered_wrong": round(self.ratio(self.answered_wrong, self.in_scope), 4),
            "resolved": round(self.ratio(self.answered_correct + self.suggested_with_right_topic, self.in_scope), 4),
            "out_of_scope": self.out_of_scope,
            "oos_handled": round(self.oos_rate, 4),
        }


def load_heldout(path: Path = HELDOUT_FILE) -> tuple[list[tuple[str, str]], list[str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    in_scope = [(item["text"], item["topic"]) for item in data["in_scope"]]
    return in_scope, list(data["out_of_scope"])


async def evaluate(model_path: Path, heldout: Path = HELDOUT_FILE) -> Report:
    from rasa.core.agent import Agent  # heavy import: only when evaluating

    kb = load_knowledge_base()
    settings = get_settings()
    thresholds = Thresholds(settings.faq_answer_threshold, settings.suggest_min_confidence, settings.max_suggestions)
    in_scope, out_of_scope = load_heldout(heldout)
    unknown = sorted({topic for _, topic in in_scope if topic not in kb})
    if unknown:
        raise SystemExit(f"Il set di valutazione cita argomenti inesistenti: {', '.join(unknown)}")

    agent = Agent.load(str(model_path))
    report = Report(model=str(model_path))
    for text, expected in in_scope:
        outcome = outcome_of(await agent.parse_message(text), thresholds, kb)
        report.in_scope += 1
        stats = report.per_topic[expected]
        stats[1] += 1
        if outcome.kind in ("answer", "suggest", "not_understood") and outcome.top_topic == expected:
            report.routed_correct += 1
            stats[0] += 1
        else:
            report.errors.append(f"[{expected}] {text!r} → {outcome.kind} {outcome.topic or outcome.top_topic}")
        if outcome.kind == "answer":
            if outcome.topic == expected:
                report.answered_correct += 1
            else:
                report.answered_wrong += 1
        elif outcome.kind == "suggest" and expected in outcome.suggestions:
            report.suggested_with_right_topic += 1
    for text in out_of_scope:
        outcome = outcome_of(await agent.parse_message(text), thresholds, kb)
        report.out_of_scope += 1
        report.oos_outcomes[outcome.kind] += 1
        if outcome.kind in NOT_ANSWERED_OUTCOMES:
            report.oos_handled += 1
        else:
            report.errors.append(f"[fuori ambito] {text!r} → {outcome.kind} {outcome.topic or ''}")
    return report


def print_report(report: Report, verbose: bool) -> None:
    s = report.summary()
    print(f"\nModello: {report.model}")
    print("Per argomento (corrette/totale), solo quelli con errori:")
    for topic, (ok, total) in sorted(report.per_topic.items()):
        if ok < total:
            print(f"  {topic:32s} {ok}/{total}")
    print(f"\nDomande in ambito:        {s['in_scope']}")
    print(f"  accuratezza (argomento giusto al primo posto): {s['accuracy']:.1%}")
    print(f"  risposta diretta corretta:                     {s['answered_correct']:.1%}")
    print(f"  risposta diretta sbagliata:                    {s['answered_wrong']:.1%}")
    print(f"  risolte (risposta giusta o proposta tra le scelte): {s['resolved']:.1%}")
    print(f"Domande fuori ambito:     {s['out_of_scope']}")
    print(f"  gestite senza rispondere a vanvera: {s['oos_handled']:.1%}  {dict(report.oos_outcomes)}")
    if verbose and report.errors:
        print("\nErrori:")
        for line in report.errors:
            print(f"  {line}")


def record(report: Report, label: str, path: Path = BENCHMARKS_FILE) -> None:
    s = report.summary()
    line = (
        f"| {dt.date.today().isoformat()} | {label} | {machine_description()} | {s['in_scope']} | "
        f"{s['accuracy']:.3f} | {s['answered_correct']:.3f} | {s['answered_wrong']:.3f} | {s['resolved']:.3f} | "
        f"{s['out_of_scope']} | {s['oos_handled']:.3f} |\n"
    )
    from bot.eval.benchmarks_doc import append_row

    append_row(path, "NLU evaluation", line)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=REPO_ROOT / "models" / "sportello.tar.gz")
    parser.add_argument("--heldout", type=Path, default=HELDOUT_FILE)
    parser.add_argument("--record", action="store_true", help="aggiungi le cifre a docs/benchmarks.md")
    parser.add_argument("--label", default="config.yml")
    parser.add_argument("--json", type=Path, help="scrivi il riepilogo in questo file JSON")
    parser.add_argument("--quiet", action="store_true", help="non elencare le singole domande sbagliate")
    args = parser.parse_args(argv)
    if not args.model.exists():
        print(f"Modello {args.model} non trovato: esegui `make train`.", file=sys.stderr)
        return 1
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    logging.getLogger("rasa").setLevel(logging.ERROR)
    report = asyncio.run(evaluate(args.model, args.heldout))
    print_report(report, verbose=not args.quiet)
    if args.record:
        record(report, args.label)
    if args.json:
        args.json.write_text(json.dumps({**report.summary(), "label": args.label, "errors": report.errors}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
