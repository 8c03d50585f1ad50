"""Padding batches to a few shapes (qa/embed/tokens.py) against padding each to its own longest text,
side by side: memory, query latency and ingest throughput of the OpenVINO backend (issue 14, item 5).

A compiled OpenVINO model keeps what its CPU plugin builds for each input shape it has run, up to
CPU_RUNTIME_CACHE_CAPACITY (5,000) shapes, so a process that embeds batches of every size and width
grows by megabytes a new shape.

* Speed, both ways in one process, interleaved so that the machine's load falls on both alike:
  query latency (the RealTime QA questions, one ``embed_queries([question])`` at a time, as a search
  does; each question both ways, in alternating order, after one untimed pass) and ingest throughput
  (``embed_documents`` over passages of the soak's cached index, which bench/soak.py builds, in
  batches of 32; slices of --slice passages alternately one way and the other).
* Memory, each way in a fresh process, alternately, --rounds times: --batches batches of 1–32 random
  texts of 2–60 words, as a server's batched queries and answers' sentences come; RSS before and after,
  and the CPU time they took.

    .venv/bin/python bench/shape_memory.py --bench ../shared/bench/realtimeqa [--rounds 2] [--batches 600]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
WORDS = "the president said on tuesday that the new plan would cut costs for families across the country".split()
PASSAGES = Path.home() / ".cache" / "article-qa" / "soak-rtqa300" / "meta.sqlite"
ARMS = ("exact", "bucketed")  # today's padding (each batch to its longest text), then the fix


def rss_mb() -> int:
    return int(Path("/proc/self/status").read_text().split("VmRSS:")[1].split()[0]) // 1024


def passages(limit: int) -> list[str]:
    if not PASSAGES.is_file():
        sys.exit(f"{PASSAGES}: not found; bench/soak.py builds this index")
    with sqlite3.connect(f"file:{PASSAGES}?mode=ro", uri=True) as db:
        query = "SELECT substr(a.text, c.start + 1, c.end - c.start) FROM chunks c JOIN articles a ON a.id = c.article_id"
        return [text for (text,) in db.execute(f"{query} ORDER BY c.id LIMIT ?", (limit,))]


def speed(bench: Path, limit: int, slice_size: int) -> dict[str, dict[str, float]]:
    from qa.embed import load_embedder

    embedder = load_embedder("all-MiniLM-L6-v2", "openvino-int8")
    runners = (embedder._query_runner(), embedder._document_runner())

    def way(arm: str) -> None:
        for runner in runners:
            runner.bucketed = arm == "bucketed"

    questions = [json.loads(line)["question"] for line in (bench / "questions.jsonl").open(encoding="utf-8") if line.strip()]
    latencies: dict[str, list[float]] = {arm: [] for arm in ARMS}
    for timed in (False, True):
        for number, question in enumerate(questions):
            for arm in ARMS if number % 2 else ARMS[::-1]:
                way(arm)
                start = time.perf_counter()
                embedder.embed_queries([question])
                if timed:
                    latencies[arm].append((time.perf_counter() - start) * 1000)
    texts = passages(limit)
    seconds = dict.fromkeys(ARMS, 0.0)
    for number, begin in enumerate(range(0, len(texts), slice_size)):
        for arm in ARMS if number % 2 else ARMS[::-1]:
            way(arm)
            start = time.perf_counter()
            embedder.embed_documents(texts[begin : begin + slice_size], batch_size=32)
            seconds[arm] += time.perf_counter() - start
    result = {}
    for arm in ARMS:
        ordered = sorted(latencies[arm])
        result[arm] = {
            "query_p50_ms": statistics.median(ordered), "query_p95_ms": ordered[int(0.95 * len(ordered)) - 1],
            "ingest_passages_per_s": len(texts) / seconds[arm],
        }
    return result


def memory(arm: str, batches: int) -> dict:
    from qa.embed import load_embedder

    embedder = load_embedder("all-MiniLM-L6-v2", "openvino-int8")
    for runner in (embedder._query_runner(), embedder._document_runner()):
        runner.bucketed = arm == "bucketed"
    embedder.embed_documents(["warm up"])
    chooser = random.Random(1)
    before, cpu = rss_mb(), time.process_time()
    for _ in range(batches):
        size, width = chooser.randint(1, 32), chooser.randint(2, 60)
        embedder.embed_documents([" ".join(chooser.choice(WORDS) for _ in range(width)) for _ in range(size)])
    return {"rss_before_mb": before, "rss_after_mb": rss_mb(), "cpu_s": time.process_time() - cpu}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", type=Path, required=True, help="the RealTime QA folder (questions.jsonl)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--batches", type=int, default=600, help="random-shape batches an arm")
    parser.add_argument("--passages", type=int, default=1000)
    parser.add_argument("--slice", type=int, default=100, help="passages embedded one way before the other")
    parser.add_argument("--arm", choices=ARMS, help=argparse.SUPPRESS)  # memory of one way, in this process
    args = parser.parse_args()
    if args.arm:
        print(json.dumps(memory(args.arm, args.batches)))
        return 0
    measured = speed(args.bench, args.passages, args.slice)
    print(f"speed, interleaved in one process: {json.dumps(measured)}", flush=True)
    rounds: dict[str, list[dict]] = {arm: [] for arm in ARMS}
    for round_number in range(1, args.rounds + 1):
        for arm in ARMS:
            command = [sys.executable, __file__, "--arm", arm, "--bench", str(args.bench), "--batches", str(args.batches)]
            result = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
            print(f"memory, round {round_number}, {arm}: {json.dumps(result)}", flush=True)
            rounds[arm].append(result)
    for key in rounds["exact"][0] if rounds["exact"] else ():  # --rounds 0: speed only
        measured = {arm: {**measured[arm], key: statistics.median(r[key] for r in rounds[arm])} for arm in ARMS}
    print("\nfigure\t" + "\t".join(ARMS) + "\tbucketed / exact")
    for key in measured["exact"]:
        values = [measured[arm][key] for arm in ARMS]
        print(f"{key}\t" + "\t".join(f"{value:.1f}" for value in values) + f"\t{values[1] / values[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
