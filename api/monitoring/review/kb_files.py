"""Writing reviewed messages into the knowledge base, as its editors would by hand.

The app environment never imports bot/, so the files are read here with PyYAML and
changed as text: new questions go right after the topic's last question, under a
comment that says where they come from, and nothing else in the file moves (comments,
order, quoting, blank lines stay as the editors left them). The result is parsed again
and must hold exactly the old questions plus the new ones, or nothing is written.

What would break `make check-kb` or the evaluation is left out and said why: a question
with `[ ] { }` (Rasa reads them as annotations; a redacted message has them), one already
in the knowledge base (any topic), one of the held-out questions of `make eval`.

New topics become drafts in `bozze.yml`, a file the generator never reads
(bot/kb/loader.py loads only `NN_*.yml`): the assistant does not answer on a draft
until the content staff completes it and moves it into its section's file.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from api.monitoring.review.inbox import STOP_WORDS, normalise
from sportello.paths import REPO_ROOT

DEFAULT_KB_DIR = REPO_ROOT / "knowledge_base"
DEFAULT_HELDOUT = REPO_ROOT / "bot" / "eval" / "heldout.yml"
DRAFTS_FILE = "bozze.yml"
KB_FILE_PATTERN = "[0-9][0-9]_*.yml"
# As bot/kb/loader.py: Rasa reads [text](entity) and {..} inside training examples.
FORBIDDEN = re.compile(r"[\[\]{}\n\r]")
ID_RE = re.compile(r"^[a-z][a-z0-9_]{1,28}$")
MAX_TITLE = 60
DRAFTS_HEADER = """\
# Bozze di nuovi argomenti, nate dalla revisione dei messaggi che l'assistente non ha capito
# (api/monitoring/review/). `make generate` legge solo i file NN_*.yml: finché una bozza è
# qui, l'assistente non la usa e non risponde su questo argomento.
# Per pubblicarla: scrivi risposta, riferimenti, anni e data di revisione, porta le domande
# ad almeno 12, togli `origin` e sposta la voce nel file NN_*.yml della sezione giusta
# (formato in knowledge_base/README.md); poi `make check-kb`, `make train` e `make eval`.
drafts:
"""

REASON_FORBIDDEN = "contiene [ ] { } (per esempio dati personali rimossi): Rasa non la accetterebbe"
REASON_DUPLICATE = "è già nella base di conoscenza ({topic})"
REASON_HELDOUT = "è una domanda di verifica di `make eval` (bot/eval/heldout.yml)"
REASON_EMPTY = "è vuota"


class KnowledgeBaseEditError(RuntimeError):
    """The file could not be changed safely; the message says why, in Italian."""


class UnknownTopic(KnowledgeBaseEditError):
    pass


@dataclass(frozen=True)
class TopicInfo:
    id: str
    title: str
    file: Path
    questions: tuple[str, ...]


@dataclass
class Written:
    file: Path
    added: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    draft_id: str | None = None


def _load(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise KnowledgeBaseEditError(f"{path.name}: YAML non valido ({exc})") from exc


def topics(kb_dir: Path = DEFAULT_KB_DIR) -> dict[str, TopicInfo]:
    """Every topic of the knowledge base, by id."""
    found: dict[str, TopicInfo] = {}
    for path in sorted(kb_dir.glob(KB_FILE_PATTERN)):
        data = _load(path)
        for raw in (data or {}).get("topics") or []:
            if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                questions = tuple(q for q in raw.get("questions") or [] if isinstance(q, str))
                found[raw["id"]] = TopicInfo(raw["id"], str(raw.get("title", raw["id"])), path, questions)
    return found


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def heldout_texts(path: Path = DEFAULT_HELDOUT) -> set[str]:
    """Every text of the held-out set, normalised (whatever its layout: all its strings)."""
    if not path.exists():
        return set()
    return {normalise(text) for text in _strings(_load(path))}


def _quoted(text: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar (same escapes).
    return json.dumps(text, ensure_ascii=False)


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """One review at a time writes into the knowledge base (several API workers, the CLI)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _insert_after_last_question(text: str, topic_id: str, block: list[str], where: str) -> str:
    lines = text.splitlines(keepends=True)
    start_re = re.compile(rf"^(?P<indent> *)- id: *['\"]?{re.escape(topic_id)}['\"]? *(#.*)?$")
    start = next((i for i, line in enumerate(lines) if start_re.match(line.rstrip("\n"))), None)
    if start is None:
        raise KnowledgeBaseEditError(f"{where}: non trovo «- id: {topic_id}»")
    key_indent = _indent(lines[start]) + 2
    questions_re = re.compile(rf"^ {{{key_indent}}}questions: *(#.*)?$")
    key = None
    for i in range(start + 1, len(lines)):
        stripped = lines[i].strip()
        if stripped and not stripped.startswith("#") and _indent(lines[i]) < key_indent:
            break  # the next topic, or the end of the list
        if questions_re.match(lines[i].rstrip("\n")):
            key = i
            break
    if key is None:
        raise KnowledgeBaseEditError(f"{where}: l'argomento {topic_id} non ha un elenco «questions:» a blocchi")
    last, item_indent = None, None
    for i in range(key + 1, len(lines)):
        stripped = lines[i].strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = _indent(lines[i])
        if stripped.startswith("- ") and indent >= key_indent and item_indent in (None, indent):
            item_indent, last = indent, i
        elif item_indent is not None and indent > item_indent:
            last = i  # a question written over more than one line
        else:
            break
    if last is None or item_indent is None:
        raise KnowledgeBaseEditError(f"{where}: l'elenco «questions:» di {topic_id} è vuoto")
    if not lines[last].endswith("\n"):
        lines[last] += "\n"
    pad = " " * item_indent
    return "".join([*lines[: last + 1], *(pad + entry + "\n" for entry in block), *lines[last + 1 :]])


def screen(
    questions: Iterable[str], known: dict[str, str], heldout: set[str]
) -> tuple[list[str], list[tuple[str, str]]]:
    """The questions that can go in (deduplicated), and the others with the reason.

    `known` maps each normalised question of the knowledge base to its topic.
    """
    added: list[str] = []
    skipped: list[tuple[str, str]] = []
    seen: set[str] = set()
    for raw in questions:
        question = " ".join(raw.split())
        key = normalise(question)
        if not key:
            skipped.append((raw, REASON_EMPTY))
        elif FORBIDDEN.search(raw):
            skipped.append((raw, REASON_FORBIDDEN))
        elif key in known:
            skipped.append((raw, REASON_DUPLICATE.format(topic=known[key])))
        elif key in heldout:
            skipped.append((raw, REASON_HELDOUT))
        elif key not in seen:
            seen.add(key)
            added.append(question)
    return added, skipped


def _known_questions(all_topics: dict[str, TopicInfo]) -> dict[str, str]:
    return {normalise(q): topic.id for topic in all_topics.values() for q in topic.questions}


def add_questions(
    topic_id: str,
    questions: Iterable[str],
    note: str,
    kb_dir: Path = DEFAULT_KB_DIR,
    heldout_path: Path = DEFAULT_HELDOUT,
) -> Written:
    """Append `questions` to the topic's training questions, under the comment `note`."""
    with _locked(kb_dir):
        all_topics = topics(kb_dir)
        topic = all_topics.get(topic_id)
        if topic is None:
            raise UnknownTopic(f"L'argomento «{topic_id}» non esiste nella base di conoscenza.")
        added, skipped = screen(questions, _known_questions(all_topics), heldout_texts(heldout_path))
        written = Written(file=topic.file, added=added, skipped=skipped)
        if not added:
            return written
        block = [f"# {note}", *(f"- {_quoted(q)}" for q in added)]
        before = topic.file.read_text(encoding="utf-8")
        after = _insert_after_last_question(before, topic_id, block, topic.file.name)
        parsed = yaml.safe_load(after)
        now = next(t for t in parsed["topics"] if isinstance(t, dict) and t.get("id") == topic_id)
        if list(now.get("questions") or []) != [*topic.questions, *added]:
            raise KnowledgeBaseEditError(
                f"{topic.file.name}: la modifica non darebbe le domande attese; nessuna scrittura"
            )
        _write(topic.file, after)
        return written


def _draft_id(title: str, taken: set[str]) -> str:
    """`bozza_` and the title's words (whole words, no stop words), unique, a valid topic id."""
    base = "bozza"
    for word in normalise(title).split():
        if word in STOP_WORDS or not word.isascii() or not word.isalnum():
            continue
        if len(base) + 1 + len(word) > 26:
            break
        base = f"{base}_{word}"
    if not ID_RE.match(base):
        base = "bozza_argomento"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    return candidate


def add_draft(
    title: str,
    questions: Iterable[str],
    note: str,
    kb_dir: Path = DEFAULT_KB_DIR,
    heldout_path: Path = DEFAULT_HELDOUT,
) -> Written:
    """A draft topic in `bozze.yml` with these questions, for the content staff to complete."""
    title = " ".join(title.split())[:MAX_TITLE]
    path = kb_dir / DRAFTS_FILE
    with _locked(kb_dir):
        all_topics = topics(kb_dir)
        before, existing = _drafts_text(path)
        taken = set(all_topics) | {str(d.get("id")) for d in existing if isinstance(d, dict)}
        added, skipped = screen(questions, _known_questions(all_topics), heldout_texts(heldout_path))
        draft_id = _draft_id(title, taken)
        entry = [
            f"  - id: {draft_id}\n",
            f"    title: {_quoted(title)}\n",
            f"    origin: {_quoted(note)}\n",
            '    answer: ""  # da scrivere\n',
            "    references: []\n",
            '    years: ""\n',
            "    questions:\n" if added else "    questions: []\n",
            *(f"      - {_quoted(q)}\n" for q in added),
        ]
        after = before + "".join(entry)
        parsed = yaml.safe_load(after)
        drafts = parsed.get("drafts") if isinstance(parsed, dict) else None
        if not isinstance(drafts, list) or drafts[-1].get("id") != draft_id or drafts[-1].get("questions") != added:
            raise KnowledgeBaseEditError(f"{DRAFTS_FILE}: la bozza non si rileggerebbe com'è; nessuna scrittura")
        _write(path, after)
        return Written(file=path, added=added, skipped=skipped, draft_id=draft_id)


def _drafts_text(path: Path) -> tuple[str, list[Any]]:
    """The drafts file's text, ready for one more entry at its end, and its drafts."""
    if not path.exists():
        return DRAFTS_HEADER, []
    text = path.read_text(encoding="utf-8")
    data = _load(path)
    drafts = data.get("drafts") if isinstance(data, dict) else None
    if not text.endswith("\n"):
        text += "\n"
    if isinstance(drafts, list) and drafts:
        return text, drafts
    # Emptied by the content staff ("drafts: []", or the key gone): a block list again.
    text, replaced = re.subn(r"(?m)^drafts:.*$", "drafts:", text)
    return (text if replaced else text + "drafts:\n"), []
