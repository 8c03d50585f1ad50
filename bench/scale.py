"""Vector index scaling benchmark (issue 6): the index type the store picks for each collection size,
next to exact search over the same vectors, in one run.

For each size: synthetic clustered 384-d unit vectors are written into a real meta.sqlite (the
store's schema), the vector index is built the way the store rebuilds it (trained on a sample read
from SQLite, filled from SQLite in batches, exact re-scoring of candidates read back by id), then
200 held-out queries from the same distribution are searched one at a time. Reported: build time,
bytes of the FAISS index (what stays in RAM), single-query latency, recall@10 against exact search;
and the same for exact flat search.

The vectors: 2,000 topics (--topics), each a centre plus an 8-dimensional spread of its own plus isotropic
noise, normalised. Sentence embeddings look like this (topics, few directions of variation within a
topic); uniform noise would not, and no index searches it better than a scan.

    .venv/bin/python bench/scale.py --sizes 10000,100000,1000000
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DIMENSION = 384
TOPICS = 2_000
SPREAD_DIMENSIONS = 8
QUERIES = 200
K = 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000", help="collection sizes, comma-separated")
    parser.add_argument("--workdir", type=Path, help="where the SQLite files go (default: a temporary folder)")
    parser.add_argument("--topics", type=int, default=TOPICS, help="clusters; more makes each one smaller and harder")
    parser.add_argument(
        "--real", type=Path, metavar="INDEX",
        help="instead: IVF (as planned for 100k+) over a real index's vectors, queried with the RealTimeQA questions",
    )
    args = parser.parse_args()

    import faiss

    import qa.store.vectors  # noqa: F401 (sets the search thread count the store serves with)

    print(f"# {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.node()}, {_cpu()}, "
          f"faiss {faiss.__version__}, searches on {faiss.omp_get_max_threads()} thread(s), load {_load()}")
    if args.real:
        print(f"# command: .venv/bin/python bench/scale.py --real {args.real}")
        print(real(args.real))
        return
    print(f"# command: .venv/bin/python bench/scale.py --sizes {args.sizes} --topics {args.topics}")
    print("| vectors | index | build s | index MB | p50 ms | p95 ms | recall@10 | exact p50 ms | exact MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(dir=args.workdir) as workdir:
        for size in (int(s) for s in args.sizes.split(",")):
            print(measure(size, args.topics, Path(workdir) / f"meta-{size}.sqlite"), flush=True)
    print(f"# load after: {_load()}")


def measure(size: int, topics: int, path: Path) -> str:
    import faiss

    from qa.store import Database
    from qa.store.vectors import VectorIndex

    generator = Topics(topics, seed=0)
    vectors = generator.sample(size)
    queries = generator.sample(QUERIES)
    meta = Database(path)
    _fill(meta, vectors)

    exact = faiss.IndexFlatIP(DIMENSION)
    exact.add(vectors)
    truth = exact.search(queries, K)[1] + 1  # chunk ids start at 1
    exact_ms = _latencies(lambda q: exact.search(q, K), queries)

    started = time.perf_counter()
    index = VectorIndex.build(DIMENSION, size, meta.all_vectors, meta.vectors_of)
    build_seconds = time.perf_counter() - started
    found = np.concatenate([index.search(query[None], K)[1] for query in queries])
    latencies = _latencies(lambda q: index.search(q, K), queries)
    recall = np.mean([len(set(f) & set(t)) / K for f, t in zip(found, truth)])
    index_mb = len(faiss.serialize_index(index._index)) / 1e6
    meta.close()
    return (
        f"| {size:,} | {index.kind} | {build_seconds:.1f} | {index_mb:.0f} | {_p(latencies, 50):.2f} | "
        f"{_p(latencies, 95):.2f} | {recall:.3f} | {_p(exact_ms, 50):.2f} | {vectors.nbytes / 1e6:.0f} |"
    )


def real(index_dir: Path) -> str:
    """Recall of the IVF index over real MiniLM chunk vectors, for real questions, against exact search."""
    import json
    import math

    import faiss

    from qa.embed import load_embedder
    from qa.store import Database
    from qa.store.vectors import Plan, VectorIndex, _sample, _trained_ivf

    meta = Database(index_dir / "meta.sqlite")
    ids, vectors = (np.concatenate(part) for part in zip(*meta.all_vectors()))
    questions = [json.loads(line)["question"] for line in (ROOT.parent / "shared/bench/realtimeqa/questions.jsonl").open()]
    queries = load_embedder("all-MiniLM-L6-v2").embed_queries(questions)
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    truth = ids[exact.search(queries, K)[1]]
    plan = Plan(2 ** round(math.log2(4 * math.sqrt(len(vectors)))))
    batches = lambda: [(ids, vectors)]  # noqa: E731
    index = VectorIndex(_trained_ivf(vectors.shape[1], plan.nlist, _sample(batches(), len(vectors), plan)), plan, meta.vectors_of)
    index.add(ids, vectors)
    found = index.search(queries, K)[1]
    recall = np.mean([len(set(f) & set(t)) / K for f, t in zip(found, truth)])
    return f"| {len(vectors):,} real RealTimeQA chunks, {len(queries)} questions | {index.kind} | recall@10 {recall:.3f} |"


class Topics:
    """Clustered unit vectors: topic centre + spread within the topic's own few directions + noise."""

    def __init__(self, topics: int, seed: int) -> None:
        rng = np.random.default_rng(seed)
        self._topics = topics
        self._centres = rng.standard_normal((topics, DIMENSION)).astype(np.float32)
        self._spreads = (0.35 * rng.standard_normal((topics, SPREAD_DIMENSIONS, DIMENSION))).astype(np.float32)
        self._rng = np.random.default_rng(seed + 1)

    def sample(self, count: int, batch: int = 20_000) -> np.ndarray:
        parts = []
        for start in range(0, count, batch):
            n = min(batch, count - start)
            topics = self._rng.integers(0, self._topics, n)
            weights = self._rng.standard_normal((n, SPREAD_DIMENSIONS)).astype(np.float32)
            part = self._centres[topics] + np.einsum("nk,nkd->nd", weights, self._spreads[topics])
            part += 0.5 * self._rng.standard_normal((n, DIMENSION)).astype(np.float32)
            parts.append(part / np.linalg.norm(part, axis=1, keepdims=True))
        return np.ascontiguousarray(np.concatenate(parts), dtype=np.float32)


def _fill(meta, vectors: np.ndarray, batch: int = 50_000) -> None:
    """Rows in the store's own chunks table, as ingest leaves them (one article holds them all)."""
    db = meta.connection()
    db.execute("BEGIN")
    db.execute(
        "INSERT INTO articles VALUES ('bench', '', '', '', '', '[]', '', '', '', '')"
    )
    for start in range(0, len(vectors), batch):
        rows = ((start + n + 1, n, vector.tobytes()) for n, vector in enumerate(vectors[start : start + batch]))
        db.executemany("INSERT INTO chunks VALUES (?, 'bench', ?, 0, 0, ?)", rows)
    db.execute("COMMIT")


def _latencies(search, queries: np.ndarray) -> list[float]:
    for query in queries[:10]:
        search(query[None])  # warm caches
    times = []
    for query in queries:
        started = time.perf_counter()
        search(query[None])
        times.append(1000 * (time.perf_counter() - started))
    return times


def _p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _cpu() -> str:
    import os

    return f"{os.cpu_count()} CPUs"


if __name__ == "__main__":
    main()
