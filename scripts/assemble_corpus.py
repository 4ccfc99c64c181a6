"""Assemble a labelled corpus from independent writers' files, split by writer.

    python scripts/assemble_corpus.py safety /work/writers faq_data/safety

Each writer's ``messages.jsonl`` goes whole into one part (``train``, ``validation`` or
``test``), as ``SPLITS`` assigns it: a model is always measured on people it never learned from.
Rows are validated against the corpus's labels; exact and near duplicates (after NFKC, case and
punctuation folding, rapidfuzz ratio >= 90) are dropped from the *lower* part (train before
validation before test), so the test part keeps every row it was written with and no other part
holds its near-duplicates. Run again whenever a writer's file changes; it rewrites the parts.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

from rapidfuzz import fuzz

SPLITS = {
    "safety": {"train": ["s1", "s2", "s4", "s5", "s7", "s9", "s10", "s12", "s13", "s15", "s16",
                         "s17", "s19", "s21", "s22", "s23", "s24"],
               "validation": ["s6", "s11", "s18", "s20"], "test": ["s3", "s8", "s14"]},
    "scope": {"train": ["c1", "c3", "c4", "c6", "c7", "c8", "c9"], "validation": ["c5"],
              "test": ["c2"]},
}
LABELS = {
    "safety": {
        "label": {"crisis", "concern", "none"},
        "style": {"plain", "colloquial", "rambling", "indirect", "ime_typo", "traditional",
                  "pinyin", "english", "mixed", "emoji", "asr"},
        "speaker": {"student", "parent", "teacher", "classmate", "other"},
    },
    "scope": {
        "kind": {"question", "out_of_scope", "greeting", "thanks", "goodbye", "ack",
                 "bot_identity", "capabilities", "noise", "complaint"},
    },
}
NEAR = 90
_FOLD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """The text as compared for duplicates."""
    return _FOLD.sub("", unicodedata.normalize("NFKC", text).casefold())


def read(path: Path, corpus: str, writer: str) -> list[dict[str, object]]:
    """A writer's valid rows, each tagged with the writer."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            print(f"{path}:{number}: not JSON, skipped", file=sys.stderr)
            continue
        bad = [k for k, allowed in LABELS[corpus].items() if row.get(k) not in allowed]
        if not isinstance(row.get("text"), str) or not row["text"].strip() or bad:
            print(f"{path}:{number}: bad {bad or 'text'}, skipped", file=sys.stderr)
            continue
        rows.append({**row, "writer": writer})
    return rows


def main(corpus: str, writers_dir: str, out_dir: str) -> None:
    """Write ``train``, ``validation`` and ``test`` JSON Lines and print their counts."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    kept: list[str] = []  # folded texts of the parts already written (test first)
    for part in ("test", "validation", "train"):
        rows: list[dict[str, object]] = []
        for writer in SPLITS[corpus][part]:
            path = Path(writers_dir) / writer / "messages.jsonl"
            if path.exists():
                rows += read(path, corpus, writer)
        unique = []
        for row in rows:
            key = fold(str(row["text"]))
            if any(key == k or fuzz.ratio(key, k) >= NEAR for k in kept):
                continue
            kept.append(key)
            unique.append(row)
        with (out / f"{part}.jsonl").open("w", encoding="utf-8") as fh:
            for row in unique:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        label = "label" if corpus == "safety" else "kind"
        counts = Counter(str(r[label]) for r in unique)
        print(part, len(unique), "of", len(rows), dict(sorted(counts.items())))


if __name__ == "__main__":
    main(*sys.argv[1:4])
