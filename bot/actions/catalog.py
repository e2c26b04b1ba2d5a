"""The knowledge base as the actions see it: loaded once per process."""

from __future__ import annotations

from functools import lru_cache

from bot.kb.loader import load_knowledge_base
from bot.kb.model import KnowledgeBase


@lru_cache(maxsize=1)
def get_catalog() -> KnowledgeBase:
    return load_knowledge_base()
