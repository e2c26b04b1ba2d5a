"""Evaluate a trained model on the held-out questions: `python -m bot.eval.run`.

Each message goes through the NLU and then through the same decision the actions
take (bot.actions.decision), so the figures describe what users get: a direct
answer (right or wrong), proposals with the right topic one click away, or
nothing useful; out-of-scope messages must get no FAQ answer; follow-ups are
scored in the context of the first question's answer.

`make eval` reports the test half (once per change); tuning uses `--split dev`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import sys
from pathlib import Path

from bot.actions.decision import DEFAULT_RULE, DecisionRule
from bot.actions.settings import get_settings
from bot.eval.heldout import HELDOUT_FILE, SPLITS, Split, load_heldout, select
from bot.eval.history import TOLERANCE, compare, last_recorded
from bot.eval.parses import parses_for
from bot.eval.score import Report, format_report, score
from bot.kb.loader import REPO_ROOT, load_knowledge_base
from sportello.machine import machine_description

BENCHMARKS_FILE = REPO_ROOT / "docs" / "benchmarks.md"
TABLE = "What users see (held-out set)"


def configured_rule(rule: DecisionRule = DEFAULT_RULE) -> DecisionRule:
    """The rule with the thresholds the action server reads from SPORTELLO_* variables."""
    settings = get_settings()
    return rule.with_settings(settings.faq_answer_threshold, settings.suggest_min_confidence, settings.max_suggestions)


def evaluate(model: Path, split: Split, rule: DecisionRule, label: str, heldout_file: Path = HELDOUT_FILE) -> Report:
    kb = load_knowledge_base()
    heldout = select(load_heldout(heldout_file), split)
    unknown = sorted(heldout.topics() - {t.id for t in kb.topics})
    if unknown:
        raise SystemExit(f"Il set di valutazione cita argomenti inesistenti: {', '.join(unknown)}")
    parses = parses_for(model, heldout.texts())
    return score(heldout, parses, rule, kb, label=label, split=split)


def record(report: Report, path: Path = BENCHMARKS_FILE) -> None:
    from sportello.benchmarks_doc import append_row

    s = report.summary()
    row = (
        f"| {dt.date.today().isoformat()} | {report.label} | {machine_description()} | {s['split']} | "
        f"{s['in_scope']} | {s['answered_right']:.3f} | {s['answered_wrong']:.3f} | {s['one_click']:.3f} | "
        f"{s['right_or_one_click']:.3f} | {s['not_resolved']:.3f} | {s['out_of_scope']} | {s['oos_handled']:.3f} | "
        f"{s['followups']} | {s['followups_right']:.3f} |"
    )
    append_row(path, TABLE, row)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=REPO_ROOT / "models" / "sportello.tar.gz")
    parser.add_argument("--heldout", type=Path, default=HELDOUT_FILE)
    parser.add_argument("--split", choices=SPLITS, default="test", help="dev per la messa a punto, test per il dato")
    parser.add_argument("--record", action="store_true", help="aggiungi le cifre a docs/benchmarks.md")
    parser.add_argument("--label", default="config.yml")
    parser.add_argument("--json", type=Path, help="scrivi il riepilogo in questo file JSON")
    parser.add_argument("--quiet", action="store_true", help="non elencare i singoli errori")
    parser.add_argument("--allow-worse", action="store_true", help="non fermarti se le cifre peggiorano")
    args = parser.parse_args(argv)
    if not args.model.exists():
        print(f"Modello {args.model} non trovato: esegui `make train`.", file=sys.stderr)
        return 1
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    logging.getLogger("rasa").setLevel(logging.ERROR)
    report = evaluate(args.model, args.split, configured_rule(), args.label, args.heldout)
    print(format_report(report, verbose=not args.quiet))
    before = last_recorded(BENCHMARKS_FILE, TABLE, args.split, args.label)
    comparison, worse = compare(before, report.summary())
    print(comparison)
    if args.record:
        record(report)
    if worse and not args.allow_worse:
        print(
            f"ATTENZIONE: peggiorano {', '.join(worse)} (oltre {TOLERANCE:.2f}). Controlla le domande aggiunte "
            "con la revisione prima di pubblicare il modello (o rilancia con --allow-worse se è voluto).",
            file=sys.stderr,
        )
        return 3
    if args.json:
        summary = {**report.summary(), "label": args.label, "errors": report.errors}
        args.json.write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
