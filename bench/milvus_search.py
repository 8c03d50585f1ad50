"""Search latency and quality of a Milvus store (a real `milvus-lite server`) against the local index it was
copied from, on the RealTime QA corpus, side by side in one run.

    .venv/bin/python bench/milvus_search.py ../shared/bench/realtimeqa ~/.cache/article-qa/realtimeqa-41df21e009f05b2f \\
        [--rounds 3] [--work ~/.cache/article-qa/milvus-bench]

The local index is copied to WORK/local first (opening it may repair it; the original stays untouched),
then copied into a Milvus collection with qa.store.milvus.copy.copy_local: its passages' and quotes'
vectors as they are, nothing re-embedded. Latency: each question searched on one store then the other
(hybrid, k=10), ROUNDS times, wall-clock p50/p95 per store (the milvus-lite server's work is in its own
process, so client CPU time would not count it). Quality: MRR@10 and R@1/5/10 of each store over the 95
questions, with and without the question's date as as_of.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from milvus_server import milvus_lite_server  # noqa: E402

from qa.evaluate import DEPTH, duplicate_aliases, evaluate, load_benchmark, percentile  # noqa: E402
from qa.index import Index  # noqa: E402
from qa.store.milvus.copy import copy_local  # noqa: E402
from qa.types import Filters  # noqa: E402

QUALITY = ("recall@1", "recall@5", "recall@10", "mrr@10")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bench_dir")
    parser.add_argument("index")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--work", default=str(Path.home() / ".cache" / "article-qa" / "milvus-bench"))
    args = parser.parse_args()
    work = Path(args.work)
    local_folder = work / "local"
    if not local_folder.is_dir():
        shutil.copytree(args.index, local_folder)
    shutil.rmtree(work / "milvus", ignore_errors=True)
    benchmark = load_benchmark(args.bench_dir)
    with milvus_lite_server(work / "milvus", log=work / "milvus-lite.log") as address, Index.open(local_folder) as local:
        started = time.perf_counter()
        milvus = Index.open(f"milvus://{address}/rtqa", embedder=local.embedder, create=True)
        copied = copy_local(local.store, milvus.store)
        print(f"copied {copied} articles ({milvus.store.counts()}) into milvus-lite in "
              f"{time.perf_counter() - started:.0f} s; vector index {milvus.store.manifest.vector_index}")
        with milvus:
            latency(benchmark.queries, {"local": local, "milvus-lite": milvus}, args.rounds)
            quality(benchmark, {"local": local, "milvus-lite": milvus})


def latency(queries, stores: dict[str, Index], rounds: int) -> None:
    wall: dict[str, list[float]] = {name: [] for name in stores}
    for index in stores.values():  # warm-up: model loading, first reads
        index.search(queries[0].text, 10)
    load_before = os.getloadavg()[0]
    for _ in range(rounds):
        for query in queries:
            for name, index in stores.items():
                started = time.perf_counter()
                index.search(query.text, 10)
                wall[name].append(time.perf_counter() - started)
    print(f"latency, hybrid k=10: load average {load_before:.1f} -> {os.getloadavg()[0]:.1f}; "
          f"{len(queries)} questions x {rounds} rounds, alternated")
    print("store\twall p50 ms\twall p95 ms")
    for name, seconds in wall.items():
        print(f"{name}\t{1000 * percentile(seconds, 0.5):.1f}\t{1000 * percentile(seconds, 0.95):.1f}")


def quality(benchmark, stores: dict[str, Index]) -> None:
    aliases = duplicate_aliases(benchmark.articles())
    print("store\tas_of\t" + "\t".join(QUALITY))
    for dated in (False, True):
        for name, index in stores.items():
            def search(query, index=index):
                return index.search(query.text, DEPTH, filters=Filters(as_of=query.date if dated else None))

            figures = evaluate(benchmark, search, aliases)
            print(f"{name}\t{'date' if dated else '-'}\t" + "\t".join(f"{figures[key]:.3f}" for key in QUALITY))


if __name__ == "__main__":
    main()
