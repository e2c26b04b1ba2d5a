"""Validate knowledge base files: `python -m bot.kb.check [FILE ...]`.

Without arguments the whole knowledge base is checked, links included; with
files, only those are checked and links to topics in other files are not.
Besides the format (bot.kb.loader), every answer must speak to users and flag
its doubts (bot.kb.style), and every figure it states must be in the register
`knowledge_base/sources.yml` (bot.kb.figures).
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.kb.figures import RegisterError, load_register, unregistered
from bot.kb.loader import DEFAULT_KB_DIR, KnowledgeBaseError, load_files, load_knowledge_base
from bot.kb.model import KnowledgeBase
from bot.kb.style import check_topics

REGISTER_FILE = DEFAULT_KB_DIR / "sources.yml"


def problems_of(kb: KnowledgeBase, register_file: Path | None = None, whole_kb: bool = True) -> list[str]:
    """Every content problem of a knowledge base that loads: wording and figures."""
    problems = [str(p) for p in check_topics(kb.topics)]
    try:
        register = load_register(register_file or REGISTER_FILE)
    except RegisterError as exc:
        return problems + exc.problems
    return problems + unregistered(kb.topics, register, check_unused=whole_kb)


def main(argv: list[str]) -> int:
    try:
        kb = load_files([Path(a) for a in argv], check_links=False) if argv else load_knowledge_base()
        problems = problems_of(kb, whole_kb=not argv)
        if problems:
            raise KnowledgeBaseError(problems)
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
