from __future__ import annotations

from collections import Counter
from pathlib import Path

import yaml

from bot.eval.heldout import HELDOUT_FILE, load_heldout, overlaps, select, split_of
from bot.kb.loader import REPO_ROOT, load_knowledge_base


def _training_texts() -> list[str]:
    """Every NLU example the model is trained on (FAQ questions, titles, conversation intents)."""
    texts: list[str] = []
    for path in sorted((REPO_ROOT / "bot" / "data").rglob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            examples = block.get("examples") or ""
            texts.extend(line[2:].strip() for line in examples.splitlines() if line.startswith("- "))
    return texts


def test_no_held_out_message_is_a_training_example() -> None:
    training = _training_texts()
    assert len(training) > 1000
    found = overlaps(load_heldout().texts(), training)
    assert found == [], "\n".join(f"{a!r} ~ {b!r}" for a, b in found)


def test_overlap_catches_copies_up_to_case_accents_and_a_word() -> None:
    training = ["Quanto valgono i buoni pasto elettronici nel 2026?", "ciao"]
    assert overlaps(["quanto valgono i buoni pasto elettronici nel 2026"], training)
    assert overlaps(["perche quanto valgono i buoni pasto elettronici nel 2026?"], training)
    assert not overlaps(["buoni pasto cartacei: fino a quanto sono esenti?"], training)
    assert not overlaps(["ciao!!"], ["buongiorno"])


def test_the_set_is_large_enough_and_cites_existing_topics() -> None:
    heldout = load_heldout()
    assert len(heldout.in_scope) >= 300
    assert len(heldout.out_of_scope) >= 80
    assert len(heldout.followups) >= 40
    assert heldout.topics() <= {t.id for t in load_knowledge_base().topics}
    duplicates = [t for t, n in Counter(q.text for q in heldout.in_scope).items() if n > 1]
    assert duplicates == []


def test_dev_and_test_halves_partition_the_set() -> None:
    heldout = load_heldout()
    dev, test = select(heldout, "dev"), select(heldout, "test")
    assert len(dev.in_scope) + len(test.in_scope) == len(heldout.in_scope)
    assert not {q.text for q in dev.in_scope} & {q.text for q in test.in_scope}
    assert len(dev.out_of_scope) + len(test.out_of_scope) == len(heldout.out_of_scope)
    assert len(dev.followups) + len(test.followups) == len(heldout.followups)
    for half in (dev, test):
        assert len(half.in_scope) >= 120 and len(half.out_of_scope) >= 30 and len(half.followups) >= 15


def test_the_split_depends_only_on_the_normalised_text() -> None:
    assert split_of("Quanto valgono i buoni pasto?") == split_of("quanto valgono i buoni  pasto")
    assert {split_of(f"domanda numero {i}") for i in range(20)} == {"dev", "test"}


def test_entries_may_accept_two_topics(tmp_path: Path) -> None:
    path = tmp_path / "h.yml"
    path.write_text(
        "in_scope:\n  - text: a\n    topic: x\n  - text: b\n    topics: [x, y]\nout_of_scope: [c]\n"
        "followups:\n  - first: d\n    first_topic: x\n    text: e per il 2027?\n    topic: y\n",
        encoding="utf-8",
    )
    heldout = load_heldout(path)
    assert [q.topics for q in heldout.in_scope] == [("x",), ("x", "y")]
    assert heldout.texts() == ["a", "b", "c", "d", "e per il 2027?"]
    assert HELDOUT_FILE.exists()


def test_dev_only_questions_never_reach_the_test_half(tmp_path: Path) -> None:
    # Texts whose hash puts them in the test half: only `in_scope_dev` may keep them in dev.
    texts = [f"domanda numero {i}" for i in range(40) if split_of(f"domanda numero {i}") == "test"][:2]
    path = tmp_path / "h.yml"
    path.write_text(
        f"in_scope:\n  - text: {texts[0]}\n    topic: x\nout_of_scope: []\n"
        f"in_scope_dev:\n  - text: {texts[1]}\n    topic: y\n",
        encoding="utf-8",
    )
    heldout = load_heldout(path)
    assert [q.text for q in select(heldout, "test").in_scope] == [texts[0]]
    assert [q.text for q in select(heldout, "dev").in_scope] == [texts[1]]
    assert [q.text for q in select(heldout, "all").in_scope] == texts


def test_the_dev_only_block_is_kept_out_of_the_test_half() -> None:
    heldout = load_heldout()
    dev_only = {q.text for q in heldout.in_scope if q.dev_only}
    assert len(dev_only) >= 400
    assert dev_only <= {q.text for q in select(heldout, "dev").in_scope}
    assert not dev_only & {q.text for q in select(heldout, "test").in_scope}
