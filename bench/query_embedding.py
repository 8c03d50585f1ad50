"""What embedding queries costs a server: wall and CPU time a query, by batch size, and for 8 callers at
once each embedding its own query, with and without the QueryBatcher that pools them.

    .venv/bin/python bench/query_embedding.py [--backend openvino-int8] [--rounds 2]

Queries are the 95 RealTime QA questions. CPU time is this process's (all threads), so it counts the
inference threads' work and their waiting in spin loops.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qa.config import DEFAULT_MODEL  # noqa: E402
from qa.embed.batching import QueryBatcher  # noqa: E402
from qa.embed import load_embedder  # noqa: E402

QUESTIONS = Path(__file__).resolve().parents[2] / "shared" / "bench" / "realtimeqa" / "questions.jsonl"
CALLERS = 8


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", default="openvino-int8")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the questions per figure")
    args = parser.parse_args()

    questions = [json.loads(line)["question"] for line in QUESTIONS.open(encoding="utf-8") if line.strip()]
    texts = questions * args.rounds
    embedder = load_embedder(DEFAULT_MODEL, args.backend)
    embedder.embed_queries(questions[:10])
    print(f"{args.backend}, {len(texts)} queries a figure")
    print("how\tms wall a query\tms CPU a query")
    for size in (1, 2, 4, 8, 16):
        batches = [texts[start : start + size] for start in range(0, len(texts), size)]
        _report(f"one caller, batches of {size}", len(texts), lambda: [embedder.embed_queries(b) for b in batches])
    _report(f"{CALLERS} callers, one query a call", len(texts), lambda: _callers(texts, embedder.embed_queries))
    batcher = QueryBatcher(embedder.embed_queries)
    _report(
        f"{CALLERS} callers through QueryBatcher", len(texts),
        lambda: _callers(texts, lambda one: [batcher.submit(one[0]).result()]),
    )
    batcher.close()


def _callers(texts: list[str], embed: Callable[[Sequence[str]], object]) -> None:
    def run(part: list[str]) -> None:
        for text in part:
            embed([text])

    threads = [threading.Thread(target=run, args=(texts[offset::CALLERS],)) for offset in range(CALLERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _report(label: str, count: int, work: Callable[[], object]) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{label}\t{wall / count * 1000:.2f}\t{cpu / count * 1000:.2f}", flush=True)


if __name__ == "__main__":
    main()
