"""The exact-scan vector index stored as float32 (IndexFlatIP) against fp16 (IndexScalarQuantizer), on
an index's own vectors: time a query, alone and two side by side, and whether the nearest chunks agree.

    .venv/bin/python bench/vector_scan.py --index ~/.cache/article-qa/rtqa-default [--queries 200]

Queries are stored vectors with a little noise (unit length), so each has close neighbours as real
questions do; every search asks for 100 neighbours, as ranking does.
"""

from __future__ import annotations

import argparse
import sqlite3
import threading
import time
from pathlib import Path

import faiss
import numpy as np

NEIGHBOURS = 100


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", required=True, help="an index folder (its meta.sqlite holds the vectors)")
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()

    vectors = _stored_vectors(Path(args.index) / "meta.sqlite")
    queries = _queries_near(vectors, args.queries)
    indexes = {"float32 (IndexFlatIP)": faiss.IndexFlatIP(vectors.shape[1])}
    indexes["fp16 (IndexScalarQuantizer)"] = faiss.IndexScalarQuantizer(
        vectors.shape[1], faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT
    )
    for index in indexes.values():
        index.add(vectors)
    _, truth = indexes["float32 (IndexFlatIP)"].search(queries, NEIGHBOURS)
    print(f"{len(vectors):,} vectors of {vectors.shape[1]} dimensions, {len(queries)} queries, {NEIGHBOURS} neighbours")
    print("index\tms a query alone\tms a query, two threads side by side\tsame 100 nearest\tlargest cosine change")
    for name, index in indexes.items():
        alone = _ms_per_query(index, queries, threads=1)
        paired = _ms_per_query(index, queries, threads=2)
        scores, found = index.search(queries, NEIGHBOURS)
        same = sum(set(row) == set(expected) for row, expected in zip(found.tolist(), truth.tolist()))
        exact = np.take_along_axis(queries @ vectors.T, found, axis=1)
        print(f"{name}\t{alone:.2f}\t{paired:.2f}\t{same}/{len(queries)}\t{np.abs(scores - exact).max():.1e}")


def _stored_vectors(path: Path) -> np.ndarray:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        blobs = [row[0] for row in db.execute("SELECT vector FROM chunks ORDER BY id")]
    return np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(blobs), -1).copy()


def _queries_near(vectors: np.ndarray, count: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    queries = vectors[rng.choice(len(vectors), count, replace=False)]
    queries = queries + 0.05 * rng.standard_normal(queries.shape).astype(np.float32)
    return np.ascontiguousarray(queries / np.linalg.norm(queries, axis=1, keepdims=True), dtype=np.float32)


def _ms_per_query(index: faiss.Index, queries: np.ndarray, *, threads: int) -> float:
    """Wall time per query, one query a call (as a server runs them), ``threads`` callers at once."""

    def run(part: np.ndarray) -> None:
        faiss.omp_set_num_threads(1)  # per thread: each caller scans on its own core, as the server does
        for query in part:
            index.search(query.reshape(1, -1), NEIGHBOURS)

    run(queries[:5])
    callers = [threading.Thread(target=run, args=(queries[offset::threads],)) for offset in range(threads)]
    started = time.perf_counter()
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()
    return (time.perf_counter() - started) / len(queries) * 1000


if __name__ == "__main__":
    main()
