"""One-article add to a large local index (issue 12): the wall time of `Index.add([article])` end to
end (chunk, embed, SQLite commit, FAISS add, BM25 update, file writes), with its breakdown.

The large index is built once and cached outside the repository, under
~/.cache/article-qa/one-article-add-<passages>-<keywords format>/ (one per keyword format, so the code
before and after a format change each measure its own). It is filled through the real store API
(`Store.commit`, then one `Store.save`), which is the fastest honest way: the embedder is skipped for
the filler only. Filler passages: ten per synthetic article, each ~120 words drawn from the word
frequencies of the RealTime QA articles (so the BM25 vocabulary and posting lengths look like news),
with a random unit 384-d vector each. The timed adds are real RealTime QA articles, through
`Index.add` with the default embedder, each one not yet in the index.

    PYTHONPATH=. .venv/bin/python bench/one_article_add.py ../shared/bench/realtimeqa --passages 1000000 --adds 5

The breakdown wraps the store's own functions in timers (whichever of them the code at hand has), so
the same script measures the code before and after a change: set PYTHONPATH to the tree to measure.
"""

from __future__ import annotations

import argparse
import collections
import functools
import hashlib
import json
import os
import re
import statistics
import time
from pathlib import Path

import numpy as np

CACHE = Path.home() / ".cache" / "article-qa"
PASSAGES_PER_ARTICLE = 10
WORDS_PER_PASSAGE = 120
COMMIT_PASSAGES = 20_000

# (label, module, class or None, function name): the parts of an add the breakdown reports.
TIMED = [
    ("chunk, quotes, embed", "qa.indexing", None, "_prepare"),
    ("of which embed", "qa.indexing", None, "quote_vectors"),
    ("refresh", "qa.store.store", "Store", "refresh"),
    ("sqlite commit", "qa.store.database", "Database", "commit"),
    ("faiss add/remove", "qa.store.vectors", "VectorIndex", "add"),
    ("faiss add/remove", "qa.store.vectors", "VectorIndex", "remove"),
    ("keyword update", "qa.store.keywords", "KeywordIndex", "synced"),
    ("keyword files", "qa.store.keywords", "KeywordIndex", "save"),
    ("vector files", "qa.store.vectors", "VectorIndex", "save"),
    ("manifest", "qa.store.store", None, "write_json_atomically"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bench_dir", type=Path)
    parser.add_argument("--passages", type=int, default=1_000_000)
    parser.add_argument("--adds", type=int, default=5)
    args = parser.parse_args()
    from qa.index import Index
    from qa.store import keywords

    folder = CACHE / f"one-article-add-{args.passages}-{_keyword_format(keywords)}"
    articles = [json.loads(line) for line in (args.bench_dir / "articles.jsonl").open(encoding="utf-8")]
    if not (folder / "manifest.json").is_file():
        _fill(folder, articles, args.passages)
    started = time.perf_counter()
    index = Index.open(folder)
    print(f"opened {folder} in {time.perf_counter() - started:.1f} s: {index.store.counts()}", flush=True)
    totals = _wrap_timers()
    from qa.types import Article

    index.search("warm up the embedder", 1)
    fresh = [a for a in articles if not index.store.known_hashes([a["id"]]) and len(a["text"]) > 2000]
    times = []
    for record in fresh[: args.adds]:
        article = Article(**{**record, "authors": tuple(record["authors"])})
        totals.clear()
        load = os.getloadavg()[0]
        started = time.perf_counter()
        report = index.add([article])
        elapsed = time.perf_counter() - started
        times.append(elapsed)
        parts = ", ".join(f"{label} {seconds:.3f}" for label, seconds in totals.items())
        print(f"add {article.id} ({report.chunks} passages): {elapsed:.3f} s [{parts}] load {load:.2f}", flush=True)
    if not times:
        return
    print(
        f"one-article add over {index.store.counts()['chunks']:,} passages: median {statistics.median(times):.3f} s, "
        f"max {max(times):.3f} s over {len(times)} adds; load {os.getloadavg()[0]:.2f}"
    )
    index.close()


def _keyword_format(keywords) -> str:
    return f"kw{getattr(keywords, 'BUILD_VERSION', 0)}"


def _wrap_timers() -> dict[str, float]:
    import importlib

    totals: dict[str, float] = collections.defaultdict(float)
    for label, module_name, class_name, name in TIMED:
        module = importlib.import_module(module_name)
        owner = getattr(module, class_name) if class_name else module
        original = getattr(owner, name, None)
        if original is None:
            continue

        def timed(*args, _original=original, _label=label, **kwargs):
            started = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                totals[_label] += time.perf_counter() - started

        setattr(owner, name, functools.wraps(original)(timed))
    return totals


def _fill(folder: Path, articles: list[dict], passages: int) -> None:
    from qa.index import Index
    from qa.store.article_rows import NewArticle
    from qa.types import Article, Chunk

    started = time.perf_counter()
    counts = collections.Counter(word for a in articles for word in re.findall(r"\w+", a["text"]))
    words = np.array(list(counts))
    weights = np.array(list(counts.values()), dtype=np.float64)
    weights /= weights.sum()
    rng = np.random.default_rng(12)
    index = Index.open(folder, create=True)
    store, dimension = index.store, index.store.manifest.dimension
    made = 0
    while made < passages:
        batch = []
        for _ in range(COMMIT_PASSAGES // PASSAGES_PER_ARTICLE):
            number = made // PASSAGES_PER_ARTICLE
            drawn = words[rng.choice(len(words), size=(PASSAGES_PER_ARTICLE, WORDS_PER_PASSAGE), p=weights)]
            parts = [" ".join(row) for row in drawn]
            text = "\n\n".join(parts)
            article = Article(
                id=f"synthetic-{number:07d}", text=text, title=" ".join(parts[0].split()[:8]),
                published=f"20{10 + number % 14:02d}-{1 + number % 12:02d}-{1 + number % 28:02d}", source="synthetic",
            )
            chunks, start = [], 0
            for ordinal, part in enumerate(parts):
                chunks.append(Chunk(article.id, ordinal, start, start + len(part), part))
                start += len(part) + 2
            vectors = rng.standard_normal((len(chunks), dimension)).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            batch.append(NewArticle(article, hashlib.sha256(text.encode()).hexdigest(), chunks, vectors))
            made += len(chunks)
        store.commit(batch)
        print(f"filled {made:,} passages, {time.perf_counter() - started:.0f} s", flush=True)
    saving = time.perf_counter()
    store.save()
    print(f"saved in {time.perf_counter() - saving:.0f} s; built {folder} in {time.perf_counter() - started:.0f} s", flush=True)
    index.close()


if __name__ == "__main__":
    main()
