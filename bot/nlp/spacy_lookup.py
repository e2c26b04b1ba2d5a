"""Build a blank Italian spaCy pipeline with lookup lemmas: `python -m bot.nlp.spacy_lookup`.

It needs no download (the lemma tables come from the spacy-lookups-data package),
so the spaCy-tokenizer pipeline can be compared offline with the default one.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.kb.loader import REPO_ROOT

DEFAULT_PATH = REPO_ROOT / ".var" / "spacy" / "it_lookup"


def build(path: Path = DEFAULT_PATH) -> Path:
    import spacy

    nlp = spacy.blank("it")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    path.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(path)
    return path


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PATH
    print(f"Pipeline spaCy con lemmi salvata in {build(target)}")
