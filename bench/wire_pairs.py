"""Wire-story groups of an index, and their precision against hand labels (issue 13, item 4).

Reads an index whose articles are grouped into stories (qa/store/stories.py), read-only, and reports
the stories found (count, sizes), then draws a seeded random sample of grouped pairs (every pair when
there are fewer than --sample). For choosing the threshold it also lists every pair of stored
articles whose exact shingle Jaccard similarity is at least --floor (found with datasketch's LSH), so
that labels on all of them give the precision each threshold would have had.

Labels live in bench/wire_pair_labels.jsonl, one {"a", "b", "same_story"} a line (article ids only,
never text): same_story is a person's reading of both texts — the same story, copied or updated, or not.
--show prints what is needed to label the pairs not labelled yet (to the terminal only).

    .venv/bin/python bench/wire_pairs.py --index ~/.cache/article-qa/stories/rtqa-after [--show]
"""

from __future__ import annotations

import argparse
import collections
import itertools
import json
import random
import sqlite3
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "bench" / "wire_pair_labels.jsonl"
SEED = 13
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--sample", type=int, default=100)
    parser.add_argument("--floor", type=float, default=0.15)
    parser.add_argument("--show", action="store_true", help="print the unlabelled pairs for labelling")
    args = parser.parse_args()

    from qa.store import stories

    db = sqlite3.connect(f"file:{args.index / 'meta.sqlite'}?mode=ro", uri=True)
    groups = stories.groups(db)
    sizes = collections.Counter(len(members) for members in groups.values())
    grouped_pairs = sorted(pair for members in groups.values() for pair in itertools.combinations(sorted(members), 2))
    articles = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    print(f"{articles} articles; {len(groups)} stories with more than one copy, holding "
          f"{sum(len(m) for m in groups.values())} articles; sizes {dict(sorted(sizes.items()))}; "
          f"{len(grouped_pairs)} grouped pairs")
    sample = sorted(random.Random(SEED).sample(grouped_pairs, min(args.sample, len(grouped_pairs))))

    texts = dict(db.execute("SELECT id, text FROM articles"))
    similar = similar_pairs(texts, args.floor, stories)
    for pair in grouped_pairs:
        similar.setdefault(pair, stories.jaccard(stories.shingles(texts[pair[0]]), stories.shingles(texts[pair[1]])))
    labels = read_labels()
    if args.show:
        show(db, [pair for pair in sorted(similar, key=lambda p: -similar[p]) if pair not in labels], similar)
        return

    judged = [labels[pair] for pair in sample if pair in labels]
    print(f"sample (seed {SEED}): {len(sample)} grouped pairs, {len(judged)} labelled, "
          f"precision {_share(judged)}")
    print(f"pairs at Jaccard >= {args.floor}: {len(similar)}, labelled {sum(p in labels for p in similar)}")
    same = sum(labels[pair] for pair in similar if pair in labels)
    for threshold in THRESHOLDS:
        above = [labels[pair] for pair, value in similar.items() if value >= threshold and pair in labels]
        print(f"  threshold {threshold:.1f}: {len(above)} labelled pairs, precision {_share(above)}, "
              f"finds {sum(above)} of the {same} labelled same-story pairs")


def similar_pairs(texts: dict[str, str], floor: float, stories) -> dict[tuple[str, str], float]:
    """(a, b) with a < b → exact Jaccard of their shingles, for every pair at ``floor`` or above that
    an LSH tuned to ``floor`` proposes."""
    from datasketch import MinHash, MinHashLSH

    shingled = {article: stories.shingles(text) for article, text in texts.items()}
    signed = {
        article: MinHash(num_perm=stories.PERMUTATIONS, hashvalues=signature, scheme="affine32")
        for article, text in texts.items()
        if (signature := stories.signature(text)) is not None
    }
    lsh = MinHashLSH(threshold=floor, num_perm=stories.PERMUTATIONS)
    for article, minhash in signed.items():
        lsh.insert(article, minhash)
    found = {}
    for article, minhash in signed.items():
        for other in lsh.query(minhash):
            if other > article:
                value = stories.jaccard(shingled[article], shingled[other])
                if value >= floor:
                    found[(article, other)] = value
    return found


def read_labels() -> dict[tuple[str, str], bool]:
    if not LABELS.is_file():
        return {}
    labels = {}
    for line in LABELS.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            labels[tuple(sorted((row["a"], row["b"])))] = bool(row["same_story"])
    return labels


def show(db: sqlite3.Connection, pairs: list[tuple[str, str]], similar: dict) -> None:
    for a, b in pairs:
        print(f"=== {a} {b} J={similar[(a, b)]:.3f}")
        for article in (a, b):
            title, url, published, text = db.execute(
                "SELECT title, url, published, text FROM articles WHERE id = ?", (article,)
            ).fetchone()
            print(f"  {article} {published} {url[:90]}\n    {title[:100]}\n    {' '.join(text[:400].split())}")


def _share(values: list[bool]) -> str:
    return f"{sum(values) / len(values):.3f} ({sum(values)}/{len(values)})" if values else "n/a"


if __name__ == "__main__":
    main()
