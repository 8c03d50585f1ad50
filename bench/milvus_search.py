"""Search latency and quality of a Milvus store (a real `milvus-lite server`) against the local index it was
copied from, on the RealTime QA corpus, side by side in one run.

    .venv/bin/python bench/milvus_search.py ../shared/bench/realtimeqa ~/.cache/article-qa/realtimeqa-41df21e009f05b2f \\
        [--rounds 3] [--work ~/.cache/article-qa/milvus-bench] [--modes hybrid,bm25,dense] [--layout partitioned]

The local index is copied to WORK/local first (opening it may repair it; the original stays untouched),
then copied into a Milvus collection with qa.store.milvus.copy.copy_local: its passages' and quotes'
vectors as they are, nothing re-embedded. Latency: each question searched on one store then the other
(hybrid, k=10), ROUNDS times, wall-clock p50/p95 per store (the milvus-lite server's work is in its own
process, so client CPU time would not count it; --rounds 0 skips it). Quality: MRR@10 and R@1/5/10 of each
store over the 95 questions, with and without the question's date as as_of, for each of --modes (hybrid,
and dense or bm25 alone, to see which retriever the stores differ in); then how far the 100 BM25
candidates a search fuses agree between the stores, as (article, place) sets and as identical lists.

--layout changes only how milvus-lite lays the copy out in segments, which it keeps BM25 statistics in:
"partitioned" is the store as built (outlet partition key: each outlet in segments of its own, and a
memory flush midway splits one); "partitioned-one-flush" raises milvus-lite's memory budget so that the
copy is flushed once, at its end (one segment per outlet); "one-segment" also drops the partition key (a
changed schema, for this measurement only), so that all passages share one segment's statistics, as all
share the local store's and a Milvus cluster's shard-wide ones.
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
from qa.search import RankSettings, check_mode  # noqa: E402
from qa.store.milvus.copy import copy_local  # noqa: E402
from qa.types import Filters  # noqa: E402

QUALITY = ("recall@1", "recall@5", "recall@10", "mrr@10")
LAYOUTS = ("partitioned", "partitioned-one-flush", "one-segment")
ONE_FLUSH_BYTES = 8_000_000_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bench_dir")
    parser.add_argument("index")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--work", default=str(Path.home() / ".cache" / "article-qa" / "milvus-bench"))
    parser.add_argument("--modes", default="hybrid", help="comma-separated search modes to measure quality in")
    parser.add_argument("--layout", choices=LAYOUTS, default=LAYOUTS[0])
    args = parser.parse_args()
    if args.layout != "partitioned":
        for budget in ("MILVUS_LITE_MEMTABLE_MEMORY_LIMIT_BYTES", "MILVUS_LITE_WAL_SIZE_LIMIT_BYTES"):
            os.environ[budget] = str(ONE_FLUSH_BYTES)  # read by the server process this starts
    if args.layout == "one-segment":
        from qa.store.milvus import schema

        as_built = schema._article_fields
        schema._article_fields = lambda fields, partitioned=False: as_built(fields, partitioned=False)
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
            if args.rounds:
                latency(benchmark.queries, {"local": local, "milvus-lite": milvus}, args.rounds)
            for mode in args.modes.split(","):
                quality(benchmark, {"local": local, "milvus-lite": milvus}, check_mode(mode))
            keyword_candidates(benchmark.queries, local, milvus)


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


def keyword_candidates(queries, local: Index, milvus: Index) -> None:
    """How far each store's 100 BM25 candidates agree, by (article, place): chunk ids differ between them."""
    print("BM25 candidates (100 a question)\tas_of\tshared\tidentical lists")
    for dated in (False, True):
        shared, identical = 0.0, 0
        for query in queries:
            filters = Filters(as_of=query.date if dated else None)
            found = [_places(index, query.text, filters) for index in (local, milvus)]
            shared += len(set(found[0]) & set(found[1])) / max(len(found[0]), 1)
            identical += found[0] == found[1]
        print(f"local vs milvus-lite\t{'date' if dated else '-'}\t{shared / len(queries):.3f}\t{identical}/{len(queries)}")


def _places(index: Index, query: str, filters: Filters) -> list[tuple[str, int]]:
    with index.store.view() as view:
        found = view.keyword_search(query, RankSettings().candidates, filters)
        facts = view.chunk_facts([chunk for chunk, _ in found])
    return [(facts[chunk].article_id, facts[chunk].ordinal) for chunk, _ in found]


def quality(benchmark, stores: dict[str, Index], mode: str) -> None:
    aliases = duplicate_aliases(benchmark.articles())
    print(f"quality, {mode}")
    print("store\tas_of\t" + "\t".join(QUALITY))
    for dated in (False, True):
        for name, index in stores.items():
            def search(query, index=index):
                return index.search(query.text, DEPTH, filters=Filters(as_of=query.date if dated else None), mode=mode)

            figures = evaluate(benchmark, search, aliases)
            print(f"{name}\t{'date' if dated else '-'}\t" + "\t".join(f"{figures[key]:.3f}" for key in QUALITY))


if __name__ == "__main__":
    main()
