"""Validate knowledge base files: `python -m bot.kb.check [FILE ...]`.

Without arguments the whole knowledge base is checked, links included; with
files, only those are checked and links to topics in other files are not.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.kb.loader import KnowledgeBaseError, load_files, load_knowledge_base


def main(argv: list[str]) -> int:
    try:
        kb = load_files([Path(a) for a in argv], check_links=False) if argv else load_knowledge_base()
    except KnowledgeBaseError as exc:
        print(f"Base di conoscenza non valida ({len(exc.problems)} problemi):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    questions = sum(len(t.questions) for t in kb.topics)
    uncertain = sum(t.uncertain for t in kb.topics)
    print(
        f"OK: {len(kb.sections)} sezioni, {len(kb)} argomenti, {questions} domande, "
        f"{uncertain} argomenti con incertezze"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
