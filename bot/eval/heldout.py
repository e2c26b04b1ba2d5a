"""The held-out questions: loading, the dev/test split and the overlap check.

Each entry belongs to the dev half (used to tune the model and the decision rule)
or to the test half (reported once per change) by a hash of its normalised text,
so the split stays the same when entries are added or reordered. The questions of
`in_scope_dev` belong to the dev half whatever their hash: they were written to
tune the decision once the dev half could no longer tell rules apart, so they must
never count in the test half.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import yaml

from bot.kb.loader import REPO_ROOT, normalise_question

HELDOUT_FILE = REPO_ROOT / "bot" / "eval" / "heldout.yml"
Split = Literal["dev", "test", "all"]
SPLITS: tuple[Split, ...] = ("dev", "test", "all")
# Two questions this alike (share of common words) count as the same question.
NEAR_DUPLICATE = 0.85


@dataclass(frozen=True)
class InScope:
    text: str
    topics: tuple[str, ...]  # any of them is a right answer
    dev_only: bool = False  # from `in_scope_dev`: in the dev half whatever its hash


@dataclass(frozen=True)
class FollowUp:
    first: str
    first_topic: str
    text: str
    topic: str


@dataclass(frozen=True)
class HeldOut:
    in_scope: tuple[InScope, ...]
    out_of_scope: tuple[str, ...]
    followups: tuple[FollowUp, ...]

    def topics(self) -> set[str]:
        cited = {t for q in self.in_scope for t in q.topics}
        return cited | {f.topic for f in self.followups} | {f.first_topic for f in self.followups}

    def texts(self) -> list[str]:
        """Every message the set sends, follow-ups' first questions included."""
        return [
            *(q.text for q in self.in_scope),
            *self.out_of_scope,
            *(f.first for f in self.followups),
            *(f.text for f in self.followups),
        ]


def split_of(key: str) -> Literal["dev", "test"]:
    digest = hashlib.sha256(normalise_question(key).encode("utf-8")).digest()
    return "dev" if digest[0] % 2 == 0 else "test"


def _followup_key(f: FollowUp) -> str:
    return f"{f.first} → {f.text}"


def load_heldout(path: Path = HELDOUT_FILE) -> HeldOut:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    in_scope = []
    for section, dev_only in (("in_scope", False), ("in_scope_dev", True)):
        for item in data.get(section) or []:
            topics = item.get("topics") or [item["topic"]]
            in_scope.append(InScope(str(item["text"]), tuple(str(t) for t in topics), dev_only))
    followups = [
        FollowUp(str(f["first"]), str(f["first_topic"]), str(f["text"]), str(f["topic"]))
        for f in data.get("followups") or []
    ]
    return HeldOut(tuple(in_scope), tuple(str(t) for t in data["out_of_scope"]), tuple(followups))


def select(heldout: HeldOut, split: Split) -> HeldOut:
    if split == "all":
        return heldout
    return replace(
        heldout,
        in_scope=tuple(q for q in heldout.in_scope if (split == "dev" if q.dev_only else split_of(q.text) == split)),
        out_of_scope=tuple(t for t in heldout.out_of_scope if split_of(t) == split),
        followups=tuple(f for f in heldout.followups if split_of(_followup_key(f)) == split),
    )


def _words(text: str) -> frozenset[str]:
    return frozenset(normalise_question(text).split())


def overlaps(heldout_texts: Iterable[str], training_texts: Iterable[str]) -> list[tuple[str, str]]:
    """(held-out, training) pairs that are the same question, or nearly.

    Equal once case, accents and punctuation are folded; or, for questions of four
    words or more, sharing at least NEAR_DUPLICATE of their words.
    """
    training = [(t, normalise_question(t), _words(t)) for t in training_texts]
    exact = {norm: t for t, norm, _ in training}
    by_word: dict[str, list[int]] = {}
    for index, (_, _, words) in enumerate(training):
        for word in words:
            by_word.setdefault(word, []).append(index)
    found: list[tuple[str, str]] = []
    for text in heldout_texts:
        norm = normalise_question(text)
        if norm in exact:
            found.append((text, exact[norm]))
            continue
        words = _words(text)
        if len(words) < 4:
            continue
        seen: set[int] = set()
        for word in words:
            for index in by_word.get(word, ()):
                if index in seen:
                    continue
                seen.add(index)
                other = training[index][2]
                if len(words & other) / len(words | other) >= NEAR_DUPLICATE:
                    found.append((text, training[index][0]))
                    break
            else:
                continue
            break
    return found
