"""Train and evaluate candidate NLU pipelines and decision rules: `python -m bot.eval.compare`.

Each pipeline is trained afresh on the same data (the figure includes the training
time), its parses of the held-out messages are computed once, and every rule of
the chosen candidates is scored on the dev half. The rows land in docs/benchmarks.md
next to each other; the test half is reported only by `make eval`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from bot.eval.candidates import CANDIDATES, PIPELINES, RULES
from bot.eval.heldout import SPLITS
from bot.kb.loader import REPO_ROOT


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", default=list(CANDIDATES), help=f"tra: {', '.join(CANDIDATES)}")
    parser.add_argument("--split", choices=SPLITS, default="dev")
    parser.add_argument("--no-record", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="non riaddestrare un modello già aggiornato")
    parser.add_argument(
        "--model",
        type=Path,
        help="valuta le regole su questo modello già addestrato, senza addestrare (candidati di una sola pipeline)",
    )
    args = parser.parse_args(argv)
    unknown = set(args.names) - set(CANDIDATES)
    if unknown:
        print(f"Candidati sconosciuti: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2

    pipelines = dict.fromkeys(CANDIDATES[n][0] for n in args.names)
    if args.model is not None and len(pipelines) > 1:
        print("Con --model i candidati devono avere la stessa pipeline.", file=sys.stderr)
        return 2
    for pipeline in pipelines:
        config = PIPELINES[pipeline]
        if args.model is not None:
            # Only the decision rules differ: the parses of this model are cached.
            _score(args, pipeline, config, args.model, f"modello {args.model.name} già addestrato")
            continue
        if pipeline == "spacy_lookup":
            from bot.nlp.spacy_lookup import DEFAULT_PATH, build

            if not DEFAULT_PATH.exists():
                build()
        model_name = f"compare_{pipeline}"
        print(f"\n==> {pipeline}: addestramento con {config}")
        if not args.reuse:
            (REPO_ROOT / "models" / f"{model_name}.inputs.sha256").unlink(missing_ok=True)
        started = time.monotonic()
        subprocess.run([str(REPO_ROOT / "scripts" / "train.sh"), config, model_name], cwd=REPO_ROOT, check=True)
        seconds = time.monotonic() - started
        # train.sh skips an up-to-date model (--reuse): then there is no training time to show.
        trained = f"addestramento {seconds:.0f} s" if seconds >= 30 else "modello già addestrato"
        _score(args, pipeline, config, REPO_ROOT / "models" / f"{model_name}.tar.gz", trained)
    return 0


def _score(args: argparse.Namespace, pipeline: str, config: str, model: Path, trained: str) -> None:
    from bot.eval.run import configured_rule, evaluate, record
    from bot.eval.score import format_report

    for name in (n for n in args.names if CANDIDATES[n][0] == pipeline):
        rule_name = CANDIDATES[name][1]
        label = f"{name} ({config}, regola {rule_name}, {trained})"
        report = evaluate(model, args.split, configured_rule(RULES[rule_name]), label)
        print(format_report(report))
        if not args.no_record:
            record(report)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
