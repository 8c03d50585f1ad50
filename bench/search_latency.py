"""Warm search latency per mode on an index, interleaving the modes so that all see the same machine load.

    .venv/bin/python bench/search_latency.py ../shared/bench/realtimeqa ~/.cache/article-qa/rtqa-default [--rounds 3]

Prints, per mode, the wall-clock p50/p95 and the p50 of the process CPU time per search (all threads),
which varies far less than wall time on a shared machine; and the load average during the run.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qa.evaluate import load_benchmark, percentile  # noqa: E402
from qa.index import Index  # noqa: E402
from qa.search import MODES  # noqa: E402
from qa.types import Filters  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bench_dir")
    parser.add_argument("index")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--as-of-question-date", action="store_true")
    args = parser.parse_args()
    queries = load_benchmark(args.bench_dir).queries
    wall: dict[str, list[float]] = {mode: [] for mode in MODES}
    cpu: dict[str, list[float]] = {mode: [] for mode in MODES}
    with Index.open(args.index) as index:
        for mode in MODES:  # warm-up: model loading and first-touch of the SQLite pages
            index.search(queries[0].text, 10, mode=mode)
        load_before = os.getloadavg()[0]
        for _ in range(args.rounds):
            for query in queries:
                as_of = query.date if args.as_of_question_date else None
                for mode in MODES:
                    started, started_cpu = time.perf_counter(), time.process_time()
                    index.search(query.text, 10, mode=mode, filters=Filters(as_of=as_of))
                    wall[mode].append(time.perf_counter() - started)
                    cpu[mode].append(time.process_time() - started_cpu)
    print(f"load average {load_before:.1f} -> {os.getloadavg()[0]:.1f}; {len(queries)} queries x {args.rounds} rounds")
    print("mode\twall p50 ms\twall p95 ms\tcpu p50 ms")
    for mode in MODES:
        print(
            f"{mode}\t{1000 * percentile(wall[mode], 0.5):.1f}\t{1000 * percentile(wall[mode], 0.95):.1f}"
            f"\t{1000 * percentile(cpu[mode], 0.5):.1f}"
        )


if __name__ == "__main__":
    main()
