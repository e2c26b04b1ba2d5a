"""`python -m api.monitoring.review`: the review inbox from a terminal, until (and besides)
the operators' console.

    inbox [--days 30]                      groups of messages to review, largest first
    assign --turns 12,15,19 --topic ID     the messages become questions of topic ID
    new-topic --turns 12,15 --title TITLE  a draft topic in knowledge_base/bozze.yml
    dismiss --turns 12,15                  nothing to learn from them

Then `make train` and `make eval` (held-out figures before and after, in docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from sqlalchemy.orm import Session

from api.db import create_db_engine, upgrade_database
from api.monitoring.metrics import default_period
from api.monitoring.review import actions, inbox
from api.monitoring.review.kb_files import DEFAULT_KB_DIR, KnowledgeBaseEditError
from api.settings import get_settings


def _ids(value: str) -> list[int]:
    try:
        return [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError("elenco di numeri separati da virgole, per esempio 12,15,19") from None


def _print_result(result: actions.ReviewResult) -> None:
    print(f"Messaggi rivisti: {len(result.reviewed)}")
    if result.not_pending:
        print(f"Già rivisti o inesistenti: {', '.join(map(str, result.not_pending))}")
    if result.file is not None:
        where = f" (bozza {result.draft_id})" if result.draft_id else ""
        print(f"File: {result.file}{where}; domande aggiunte: {len(result.added)}")
        for text in result.added:
            print(f"  + {text}")
    for text, reason in result.skipped:
        print(f"  - saltata «{text}»: {reason}")
    if result.added:
        print("Ora: `make train`, poi `make eval` per confrontare le cifre con le precedenti.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.monitoring.review", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    show = commands.add_parser("inbox", help="gruppi di messaggi da rivedere")
    show.add_argument("--days", type=int, default=30)
    for name in ("assign", "new-topic", "dismiss"):
        command = commands.add_parser(name)
        command.add_argument("--turns", type=_ids, required=True, help="id dei messaggi, es. 12,15,19")
        command.add_argument("--by", default=getpass.getuser(), help="chi rivede (per il registro)")
        command.add_argument("--kb-dir", type=Path, default=DEFAULT_KB_DIR, help="la base di conoscenza")
        if name == "assign":
            command.add_argument("--topic", required=True)
        if name == "new-topic":
            command.add_argument("--title", default="")
    args = parser.parse_args(argv)

    settings = get_settings()
    engine = create_db_engine(settings.database_url)
    try:
        upgrade_database(engine)
        with Session(engine, expire_on_commit=False) as session:
            if args.command == "inbox":
                start, end = default_period(days=max(args.days, 1))
                groups = inbox.inbox(session, start, end)
                if not groups:
                    print("Nessun messaggio da rivedere.")
                for group in groups:
                    reasons = ", ".join(f"{r} {n}" for r, n in group.reasons.most_common())
                    hint = f"; argomento più vicino: {group.suggested_topic}" if group.suggested_topic else ""
                    print(f"\n[{group.size}] «{group.representative}» ({reasons}{hint})")
                    print(f"  messaggi: {','.join(map(str, group.turn_ids))}")
                    for text, count in group.texts.most_common(5):
                        print(f"  {count} × {text}")
                return 0
            if args.command == "assign":
                result = actions.assign_to_topic(session, args.turns, args.topic, reviewer=args.by, kb_dir=args.kb_dir)
            elif args.command == "new-topic":
                result = actions.mark_new_topic(session, args.turns, args.title, reviewer=args.by, kb_dir=args.kb_dir)
            else:
                result = actions.dismiss(session, args.turns, reviewer=args.by)
            _print_result(result)
            return 0
    except (actions.NothingToReview, KnowledgeBaseEditError) as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
