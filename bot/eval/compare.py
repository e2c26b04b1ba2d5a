"""Train and evaluate each candidate NLU pipeline: `python -m bot.eval.compare`.

Every candidate is trained on the same data and scored on the same held-out set
by bot.eval.run; the rows land in docs/benchmarks.md next to each other.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time

from bot.eval.run import print_report, record
from bot.kb.loader import REPO_ROOT
from bot.nlp.spacy_lookup import DEFAULT_PATH, build

CANDIDATES = {
    "default": "config.yml",
    "words_only": "bot/pipelines/words_only.yml",
    "spacy_lookup": "bot/pipelines/spacy_lookup.yml",
}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", default=list(CANDIDATES), help=f"tra: {', '.join(CANDIDATES)}")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args(argv)
    unknown = set(args.names) - set(CANDIDATES)
    if unknown:
        print(f"Pipeline sconosciute: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    if "spacy_lookup" in args.names and not DEFAULT_PATH.exists():
        build()

    from bot.eval.run import evaluate

    for name in args.names:
        config = CANDIDATES[name]
        model_name = f"compare_{name}"
        print(f"\n==> {name}: addestramento con {config}")
        # A fresh training every time: the figure is the training time too.
        (REPO_ROOT / "models" / f"{model_name}.inputs.sha256").unlink(missing_ok=True)
        started = time.monotonic()
        subprocess.run([str(REPO_ROOT / "scripts" / "train.sh"), config, model_name], cwd=REPO_ROOT, check=True)
        seconds = time.monotonic() - started
        report = asyncio.run(evaluate(REPO_ROOT / "models" / f"{model_name}.tar.gz"))
        print_report(report, verbose=False)
        if not args.no_record:
            record(report, f"{name} ({config}, training {seconds:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
