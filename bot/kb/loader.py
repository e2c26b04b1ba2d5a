"""Load and validate the knowledge base YAML files.

Every problem is reported with its file, topic and field, and all problems are
collected before failing, so that an editor fixes a file in one pass.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from bot.kb.model import AUDIENCES, KnowledgeBase, Section, Topic
from bot.kb.render import ANSWER_PLACEHOLDERS

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_KB_DIR = REPO_ROOT / "knowledge_base"

ID_RE = re.compile(r"^[a-z][a-z0-9_]{1,28}$")
# Rasa reads [text](entity) and {..} as annotations inside training examples.
FORBIDDEN_IN_QUESTION = re.compile(r"[\[\]{}\n]")
# Braces in an answer are placeholders filled at run time (and Rasa would read them
# as slots): only the known ones are allowed.
PLACEHOLDER_RE = re.compile(r"\{[^{}]*\}|[{}]")
MIN_QUESTIONS = 12
MAX_TITLE = 60
MAX_ANSWER = 1600
MAX_LEAD = 420
MAX_RELATED = 4
TOPIC_FIELDS = {
    "id",
    "title",
    "audience",
    "answer",
    "references",
    "years",
    "last_reviewed",
    "uncertain",
    "questions",
    "related",
    "family",
}


class KnowledgeBaseError(ValueError):
    """Raised with every problem found, one per line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def normalise_question(text: str) -> str:
    """Case-, accent- and space-insensitive form, to spot duplicate questions."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w\s]", " ", folded).split())


class _Collector:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")


def _str_field(raw: dict[str, Any], name: str, where: str, errors: _Collector) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not value.strip():
        errors.add(where, f"campo '{name}' mancante o vuoto")
        return ""
    return value.strip()


def _str_list(raw: dict[str, Any], name: str, where: str, errors: _Collector) -> list[str]:
    value = raw.get(name, [])
    if value is None:
        value = []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        errors.add(where, f"campo '{name}' deve essere un elenco di testi non vuoti")
        return []
    return [v.strip() for v in value]


def _parse_topic(raw: Any, section_id: str, file_name: str, index: int, errors: _Collector) -> Topic | None:
    if not isinstance(raw, dict):
        errors.add(f"{file_name} topics[{index}]", "ogni argomento deve essere una mappa")
        return None
    topic_id = raw.get("id")
    where = f"{file_name} [{topic_id if isinstance(topic_id, str) else f'topics[{index}]'}]"
    before = len(errors.problems)

    unknown = set(raw) - TOPIC_FIELDS
    if unknown:
        errors.add(where, f"campi sconosciuti: {', '.join(sorted(unknown))}")
    if not isinstance(topic_id, str) or not ID_RE.match(topic_id):
        errors.add(where, "campo 'id' deve essere snake_case (a-z, 0-9, _), 2-29 caratteri")
    title = _str_field(raw, "title", where, errors)
    if len(title) > MAX_TITLE:
        errors.add(where, f"campo 'title' supera {MAX_TITLE} caratteri")
    audience = raw.get("audience")
    if audience not in AUDIENCES:
        errors.add(where, f"campo 'audience' deve essere uno tra {', '.join(AUDIENCES)}")
    answer = _str_field(raw, "answer", where, errors)
    if len(answer) > MAX_ANSWER:
        errors.add(where, f"campo 'answer' supera {MAX_ANSWER} caratteri ({len(answer)})")
    for placeholder in PLACEHOLDER_RE.findall(answer):
        if placeholder not in ANSWER_PLACEHOLDERS:
            errors.add(
                where,
                f"segnaposto sconosciuto in 'answer': {placeholder} (ammessi: {', '.join(ANSWER_PLACEHOLDERS)})",
            )
    lead = answer.split("\n\n", 1)[0]
    if len(lead) > MAX_LEAD:
        errors.add(where, f"il primo paragrafo di 'answer' supera {MAX_LEAD} caratteri ({len(lead)})")
    references = _str_list(raw, "references", where, errors)
    if not references:
        errors.add(where, "campo 'references' deve avere almeno un riferimento normativo")
    years = raw.get("years")
    if isinstance(years, int):
        years = str(years)
    if not isinstance(years, str) or not years.strip():
        errors.add(where, "campo 'years' mancante o vuoto")
        years = ""
    reviewed = raw.get("last_reviewed")
    if isinstance(reviewed, str):
        try:
            reviewed = dt.date.fromisoformat(reviewed)
        except ValueError:
            reviewed = None
    if not isinstance(reviewed, dt.date):
        errors.add(where, "campo 'last_reviewed' deve essere una data AAAA-MM-GG")
        reviewed = dt.date.min
    uncertain = raw.get("uncertain", False)
    if not isinstance(uncertain, bool):
        errors.add(where, "campo 'uncertain' deve essere true o false")
        uncertain = False
    questions = _str_list(raw, "questions", where, errors)
    for question in questions:
        if FORBIDDEN_IN_QUESTION.search(question):
            errors.add(where, f"domanda con caratteri non ammessi ([ ] {{ }} o a capo): {question!r}")
    seen: dict[str, str] = {}
    for question in questions:
        key = normalise_question(question)
        if key in seen:
            errors.add(where, f"domanda ripetuta in 'questions': {question!r}")
        seen[key] = question
    if len(seen) < MIN_QUESTIONS:
        errors.add(where, f"campo 'questions' ha {len(seen)} domande distinte, ne servono almeno {MIN_QUESTIONS}")
    related = _str_list(raw, "related", where, errors)
    if len(related) > MAX_RELATED:
        errors.add(where, f"campo 'related' ha più di {MAX_RELATED} argomenti")
    family = raw.get("family")
    if family is not None and (not isinstance(family, str) or not ID_RE.match(family)):
        errors.add(where, "campo 'family' deve essere snake_case (a-z, 0-9, _), 2-29 caratteri")
        family = None

    if len(errors.problems) > before:
        return None
    assert isinstance(topic_id, str) and isinstance(audience, str)
    return Topic(
        id=topic_id,
        title=title,
        section=section_id,
        audience=audience,
        answer=answer,
        references=tuple(references),
        years=years.strip(),
        last_reviewed=reviewed,
        uncertain=uncertain,
        questions=tuple(questions),
        related=tuple(related),
        source_file=file_name,
        family=family,
    )


def _parse_file(path: Path, errors: _Collector) -> Section | None:
    name = path.name
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        errors.add(name, f"YAML non valido: {exc}")
        return None
    if not isinstance(raw, dict):
        errors.add(name, "il file deve contenere una mappa con 'section', 'title' e 'topics'")
        return None
    section_id = raw.get("section")
    if not isinstance(section_id, str) or not ID_RE.match(section_id):
        errors.add(name, "campo 'section' mancante o non snake_case")
        section_id = ""
    title = _str_field(raw, "title", name, errors)
    topics_raw = raw.get("topics")
    if not isinstance(topics_raw, list) or not topics_raw:
        errors.add(name, "campo 'topics' deve essere un elenco non vuoto")
        return None
    topics = [_parse_topic(t, section_id, name, i, errors) for i, t in enumerate(topics_raw)]
    return Section(
        id=section_id,
        title=title,
        source_file=name,
        topics=tuple(t for t in topics if t is not None),
    )


def _check_cross_references(sections: Iterable[Section], errors: _Collector) -> None:
    owner: dict[str, str] = {}
    question_owner: dict[str, str] = {}
    all_topics = [t for s in sections for t in s.topics]
    for topic in all_topics:
        if topic.id in owner:
            errors.add(f"{topic.source_file} [{topic.id}]", f"id già usato in {owner[topic.id]}")
        owner.setdefault(topic.id, topic.source_file)
    for topic in all_topics:
        where = f"{topic.source_file} [{topic.id}]"
        for rel in topic.related:
            if rel == topic.id:
                errors.add(where, "campo 'related' non può contenere l'argomento stesso")
            elif rel not in owner:
                errors.add(where, f"campo 'related' cita un argomento inesistente: {rel}")
        for question in topic.questions:
            key = normalise_question(question)
            other = question_owner.get(key)
            if other is not None and other != topic.id:
                errors.add(where, f"domanda {question!r} è anche in [{other}]")
            question_owner[key] = topic.id


def load_files(paths: Iterable[Path], check_links: bool = True) -> KnowledgeBase:
    errors = _Collector()
    sections = [s for p in sorted(paths) if (s := _parse_file(p, errors)) is not None]
    if check_links:
        _check_cross_references(sections, errors)
    if errors.problems:
        raise KnowledgeBaseError(errors.problems)
    return KnowledgeBase(sections=tuple(sections))


def kb_files(kb_dir: Path = DEFAULT_KB_DIR) -> list[Path]:
    return sorted(kb_dir.glob("[0-9][0-9]_*.yml"))


def load_knowledge_base(kb_dir: Path = DEFAULT_KB_DIR) -> KnowledgeBase:
    files = kb_files(kb_dir)
    if not files:
        raise KnowledgeBaseError([f"{kb_dir}: nessun file NN_*.yml trovato"])
    return load_files(files)
