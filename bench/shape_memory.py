"""Padding batches to a few shapes (qa/embed/tokens.py) against padding each to its own longest text,
side by side: memory, query latency and ingest throughput of the OpenVINO backend (issue 14, item 5).

A compiled OpenVINO model keeps what its CPU plugin builds for each input shape it has run, up to
CPU_RUNTIME_CACHE_CAPACITY (5,000) shapes, so a process that embeds batches of every size and width
grows by megabytes a new shape. Each arm runs in a fresh process, the arms alternately, each round:

* query latency: the RealTime QA questions, one ``embed_queries([question])`` at a time, as a search does;
* ingest throughput: ``embed_documents`` over passages of the soak's cached index (bench/soak.py builds
  it), in batches of 32, twice: shapes first met, then met again;
* memory: ``--batches`` batches of 1–32 random texts of 2–60 words, as a server's batched queries and
  answers' sentences come; RSS before and after, and the CPU time they took.

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


def run_arm(arm: str, bench: Path, batches: int, limit: int) -> dict:
    from qa.embed import load_embedder

    embedder = load_embedder("all-MiniLM-L6-v2", "openvino-int8")
    questions = [json.loads(line)["question"] for line in (bench / "questions.jsonl").open(encoding="utf-8") if line.strip()]
    texts = passages(limit)
    runners = (embedder._query_runner(), embedder._document_runner())
    for runner in runners:
        runner.bucketed = arm == "bucketed"
    embedder.embed_queries(questions[:3])
    result: dict = {"arm": arm, "rss_start_mb": rss_mb()}

    latencies = []
    for question in questions * 2:
        start = time.perf_counter()
        embedder.embed_queries([question])
        latencies.append((time.perf_counter() - start) * 1000)
    latencies.sort()
    result["query_p50_ms"] = statistics.median(latencies)
    result["query_p95_ms"] = latencies[int(0.95 * len(latencies)) - 1]

    for name in ("ingest_first", "ingest_again"):
        start = time.perf_counter()
        embedder.embed_documents(texts, batch_size=32)
        result[f"{name}_per_s"] = len(texts) / (time.perf_counter() - start)

    chooser = random.Random(1)
    before, cpu = rss_mb(), time.process_time()
    for _ in range(batches):
        size, width = chooser.randint(1, 32), chooser.randint(2, 60)
        embedder.embed_documents([" ".join(chooser.choice(WORDS) for _ in range(width)) for _ in range(size)])
    result.update(random_rss_before_mb=before, random_rss_after_mb=rss_mb(), random_cpu_s=time.process_time() - cpu)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", type=Path, required=True, help="the RealTime QA folder (questions.jsonl)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--batches", type=int, default=600, help="random-shape batches an arm")
    parser.add_argument("--passages", type=int, default=1000)
    parser.add_argument("--arm", choices=ARMS, help=argparse.SUPPRESS)  # one arm, in this process
    args = parser.parse_args()
    if args.arm:
        print(json.dumps(run_arm(args.arm, args.bench, args.batches, args.passages)))
        return 0
    results: dict[str, list[dict]] = {arm: [] for arm in ARMS}
    for round_number in range(1, args.rounds + 1):
        for arm in ARMS:
            command = [
                sys.executable, __file__, "--arm", arm, "--bench", str(args.bench),
                "--batches", str(args.batches), "--passages", str(args.passages),
            ]
            result = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
            print(f"round {round_number}: {json.dumps(result)}", flush=True)
            results[arm].append(result)
    print("\nmedian over rounds\t" + "\t".join(ARMS) + "\tbucketed / exact")
    for key in results["exact"][0]:
        if key != "arm":
            values = [statistics.median(r[key] for r in results[arm]) for arm in ARMS]
            print(f"{key}\t" + "\t".join(f"{v:.1f}" for v in values) + f"\t{values[1] / values[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
