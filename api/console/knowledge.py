"""The knowledge base as the console's monitoring pages see it: where it is, and its topics.

The review actions write into `knowledge_base/` (api/monitoring/review/kb_files.py);
the folder comes from a dependency, so tests point it at a temporary copy
(`app.dependency_overrides[knowledge_base] = ...`) and never touch the real one.
Reading every file takes about 0.1 s (PyYAML), so the topics are kept until a file
changes: a review writes with `os.replace`, which gives the file a new modification time.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends

from api.monitoring.review import kb_files
from api.monitoring.review.kb_files import (
    DEFAULT_HELDOUT,
    DEFAULT_KB_DIR,
    KB_FILE_PATTERN,
    KnowledgeBaseEditError,
    TopicInfo,
)


@dataclass(frozen=True)
class KnowledgeBase:
    """The folder the review writes into, and the held-out questions it must not copy."""

    folder: Path = DEFAULT_KB_DIR
    heldout: Path = DEFAULT_HELDOUT

    def shown(self, path: Path) -> str:
        """A file of the knowledge base as the content staff names it: `knowledge_base/03_famiglia.yml`."""
        try:
            return str(path.relative_to(self.folder.parent))
        except ValueError:
            return path.name


def knowledge_base() -> KnowledgeBase:
    return KnowledgeBase()


KnowledgeBaseDep = Annotated[KnowledgeBase, Depends(knowledge_base)]

_lock = threading.Lock()
_cache: dict[Path, tuple[tuple[tuple[str, int, int], ...], dict[str, TopicInfo]]] = {}


def _signature(folder: Path) -> tuple[tuple[str, int, int], ...]:
    found = []
    for path in sorted(folder.glob(KB_FILE_PATTERN)):
        stat = path.stat()
        found.append((path.name, stat.st_mtime_ns, stat.st_size))
    return tuple(found)


def topics(folder: Path) -> dict[str, TopicInfo]:
    """Every topic by id (kb_files.topics), read again only when a file has changed."""
    signature = _signature(folder)
    with _lock:
        cached = _cache.get(folder)
        if cached is not None and cached[0] == signature:
            return cached[1]
    found = kb_files.topics(folder)
    with _lock:
        _cache[folder] = (signature, found)
    return found


def titles(folder: Path) -> dict[str, str]:
    """Each topic's title by id, for showing ids to people; none while a file does not parse
    (someone is editing it): the pages then show the ids."""
    try:
        return {topic_id: info.title for topic_id, info in topics(folder).items()}
    except KnowledgeBaseEditError:
        return {}


def section_label(path: Path) -> str:
    """`03_famiglia.yml` → «famiglia»: the section a topic's file stands for."""
    stem = path.stem
    number, _, rest = stem.partition("_")
    return (rest if number.isdigit() and rest else stem).replace("_", " ")
