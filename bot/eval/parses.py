"""NLU parses of the held-out messages, computed once per trained model.

Parsing is the slow part of an evaluation (a Rasa model in memory, a few ms per
message); deciding is pure Python. The parses are kept in the var dir under the
model file's hash, so the decision rules can be compared on one model without
parsing again.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sportello.config import var_dir


def slim(parse: Mapping[str, Any]) -> dict[str, Any]:
    """What the decision reads: the intent and the FAQ topics' ranking."""
    selector = (parse.get("response_selector") or {}).get("faq") or {}
    return {
        "text": parse.get("text"),
        "intent": {k: (parse.get("intent") or {}).get(k) for k in ("name", "confidence")},
        "response_selector": {
            "faq": {
                "ranking": [
                    {"intent_response_key": r.get("intent_response_key"), "confidence": r.get("confidence")}
                    for r in selector.get("ranking") or []
                ]
            }
        },
    }


def _model_digest(model_path: Path) -> str:
    sha = hashlib.sha256()
    with model_path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()[:16]


async def _parse_all(model_path: Path, texts: list[str]) -> dict[str, dict[str, Any]]:
    import logging

    from rasa.core.agent import Agent  # heavy import: only when parsing
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # not one debug line per parsed message
    agent = Agent.load(str(model_path))
    return {text: slim(await agent.parse_message(text)) for text in texts}


def parses_for(model_path: Path, texts: Iterable[str], use_cache: bool = True) -> dict[str, dict[str, Any]]:
    """Parses of every text by the model, from the cache where possible."""
    wanted = list(dict.fromkeys(texts))
    cache_file = var_dir() / "eval" / f"parses-{_model_digest(model_path)}.json"
    cached: dict[str, dict[str, Any]] = {}
    if use_cache and cache_file.exists():
        cached = json.loads(cache_file.read_text(encoding="utf-8"))
    missing = [t for t in wanted if t not in cached]
    if missing:
        cached.update(asyncio.run(_parse_all(model_path, missing)))
        if use_cache:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            cache_file.write_text(json.dumps(cached, ensure_ascii=False), encoding="utf-8")
    return {t: cached[t] for t in wanted}
