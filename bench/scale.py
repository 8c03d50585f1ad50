"""Vector index scaling benchmark (issue 6): the index type the store picks for each collection size,
next to exact search over the same vectors, in one run.

For each size: synthetic clustered 384-d unit vectors are written into a real meta.sqlite (the
store's schema), the vector index is built the way the store rebuilds it (trained on a sample read
from SQLite, filled from SQLite in batches, exact re-scoring of candidates read back by id), then
200 held-out queries from the same distribution are searched one at a time. Reported: build time,
bytes of the FAISS index (what stays in RAM), single-query latency, recall@10 against exact search;
and the same for exact flat search.

The vectors: 2,000 topics, each a centre plus an 8-dimensional spread of its own plus isotropic
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
    args = parser.parse_args()

    import faiss

    print(f"# {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.node()}, {_cpu()}, "
          f"faiss {faiss.__version__}, {faiss.omp_get_max_threads()} threads, load {_load()}")
    print(f"# command: .venv/bin/python bench/scale.py --sizes {args.sizes}")
    print("| vectors | index | build s | index MB | p50 ms | p95 ms | recall@10 | exact p50 ms | exact MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(dir=args.workdir) as workdir:
        for size in (int(s) for s in args.sizes.split(",")):
            print(measure(size, Path(workdir) / f"meta-{size}.sqlite"), flush=True)
    print(f"# load after: {_load()}")


def measure(size: int, path: Path) -> str:
    import faiss

    from qa.store.meta import MetaStore
    from qa.store.vectors import VectorIndex

    generator = Topics(seed=0)
    vectors = generator.sample(size)
    queries = generator.sample(QUERIES)
    meta = MetaStore(path)
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


class Topics:
    """Clustered unit vectors: topic centre + spread within the topic's own few directions + noise."""

    def __init__(self, seed: int) -> None:
        rng = np.random.default_rng(seed)
        self._centres = rng.standard_normal((TOPICS, DIMENSION)).astype(np.float32)
        self._spreads = (0.35 * rng.standard_normal((TOPICS, SPREAD_DIMENSIONS, DIMENSION))).astype(np.float32)
        self._rng = np.random.default_rng(seed + 1)

    def sample(self, count: int, batch: int = 20_000) -> np.ndarray:
        parts = []
        for start in range(0, count, batch):
            n = min(batch, count - start)
            topics = self._rng.integers(0, TOPICS, n)
            weights = self._rng.standard_normal((n, SPREAD_DIMENSIONS)).astype(np.float32)
            part = self._centres[topics] + np.einsum("nk,nkd->nd", weights, self._spreads[topics])
            part += 0.5 * self._rng.standard_normal((n, DIMENSION)).astype(np.float32)
            parts.append(part / np.linalg.norm(part, axis=1, keepdims=True))
        return np.ascontiguousarray(np.concatenate(parts), dtype=np.float32)


def _fill(meta, vectors: np.ndarray, batch: int = 50_000) -> None:
    """Rows in the store's own chunks table, as ingest leaves them (one article holds them all)."""
    db = meta._db()
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
