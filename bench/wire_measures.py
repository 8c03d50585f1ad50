"""Other similarity measures for wire-story grouping, on the hand-labelled pairs (issue 13, item 4).

The grouping links two articles at Jaccard ≥ 0.7 of their 5-word shingles (qa/store/stories.py), which
finds 9 of the 26 labelled same-story pairs (BENCHMARKS.md). This scores every labelled pair of
bench/wire_pair_labels.jsonl (the 125 most similar pairs of the RealTime QA index by that measure) by
Jaccard and by containment (shared shingles over the smaller text's) of N-word shingles, and prints,
for each, the precision and same-story pairs found at a few thresholds, and the highest score of a pair
labelled not the same story (every same-story pair above it is found at precision 1.0).

    .venv/bin/python bench/wire_measures.py --index ~/.cache/article-qa/stories/rtqa-after
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
from pathlib import Path

LABELS = Path(__file__).resolve().parent / "wire_pair_labels.jsonl"
SHINGLE_WORDS = (3, 5, 6, 7, 8, 10)
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)
_WORD = re.compile(r"\w+")


def shingles(text: str, words: int) -> set[str]:
    found = _WORD.findall(text.casefold())  # as qa/store/stories.py reads words
    return {" ".join(found[i : i + words]) for i in range(max(1, len(found) - words + 1))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, required=True, help="an index folder holding the labelled articles")
    args = parser.parse_args()
    labels = [json.loads(line) for line in LABELS.open(encoding="utf-8") if line.strip()]
    ids = sorted({label[side] for label in labels for side in ("a", "b")})
    with sqlite3.connect(f"file:{args.index / 'meta.sqlite'}?mode=ro", uri=True) as db:
        texts = dict(db.execute(f"SELECT id, text FROM articles WHERE id IN ({', '.join('?' * len(ids))})", ids))
    labels = [label for label in labels if label["a"] in texts and label["b"] in texts]
    print(f"{len(labels)} labelled pairs, {sum(label['same_story'] for label in labels)} the same story")
    print("measure\thighest not-same\tsame above it\t" + "\t".join(f"≥ {t}: precision / same" for t in THRESHOLDS))
    for words in SHINGLE_WORDS:
        pairs = []
        for label in labels:
            one, other = shingles(texts[label["a"]], words), shingles(texts[label["b"]], words)
            shared = len(one & other)
            pairs.append((shared / len(one | other), shared / min(len(one), len(other)), label["same_story"]))
        for name, column in (("jaccard", 0), ("containment", 1)):
            scored = [(pair[column], pair[2]) for pair in pairs]
            worst = max(score for score, same in scored if not same)
            cells = []
            for threshold in THRESHOLDS:
                above = [same for score, same in scored if score >= threshold]
                cells.append(f"{sum(above) / len(above):.3f} / {sum(above)}" if above else "– / 0")
            clear = sum(same and score > worst for score, same in scored)
            print(f"{name} {words}-word\t{worst:.3f}\t{clear}\t" + "\t".join(cells))


if __name__ == "__main__":
    main()
