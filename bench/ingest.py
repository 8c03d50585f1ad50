"""Ingest and search benchmark (issue 2).

Measures, in one run on the same machine state:
  * ingest of a slice of RealTimeQA articles through the whole pipeline (read, chunk, embed, commit),
    next to bare SentenceTransformer.encode of exactly the texts the pipeline embeds, interleaved
    (bare, pipeline, bare, pipeline) so drift in machine load hits both;
  * warm search latency over the 95 RealTimeQA questions on an existing index;
  * cold `qa search` on that index, model load included, and its peak memory.

    .venv/bin/python bench/ingest.py --articles 300 --index ~/.cache/article-qa/rtqa-default
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT.parent / "shared" / "bench" / "realtimeqa"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=300, help="how many articles of the slice (from the start)")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--index", type=Path, help="an existing RealTimeQA index for the search figures")
    args = parser.parse_args()

    from qa.embed import SentenceTransformerEmbedder
    from qa.ingest import read_jsonl

    articles = list(itertools.islice(read_jsonl(BENCH / "articles.jsonl"), args.articles))
    embedder = SentenceTransformerEmbedder()
    embedder.embed_documents(["warm up"])
    words = sum(len(a.text.split()) for a in articles)
    print(f"slice: {len(articles)} articles, {words} words")

    bare_times, pipeline_times, chunk_count = [], [], 0
    texts = embedded_texts(articles, embedder)
    for _ in range(args.repeats):
        bare_times.append(timed(lambda: embedder.embed_documents(texts)))
        seconds, chunk_count = timed_pipeline(articles, embedder)
        pipeline_times.append(seconds)
    bare, pipeline = min(bare_times), min(pipeline_times)
    print(f"chunks: {chunk_count} (texts embedded by the pipeline: {len(texts)})")
    print(f"bare encode: {fmt(bare_times)} s   pipeline: {fmt(pipeline_times)} s")
    print(
        f"pipeline: {len(articles) / pipeline:.2f} articles/s, {chunk_count / pipeline:.1f} chunks/s, "
        f"{words / pipeline:.0f} words/s; overhead over bare encode: {100 * (pipeline / bare - 1):+.1f}% (best of each)"
    )
    print(f"peak RSS of this process: {peak_rss_mb():.0f} MB")
    if args.index:
        search_latency(args.index)
        cold_cli(args.index)


def embedded_texts(articles, embedder) -> list[str]:
    from qa.indexing import passages
    from qa.store import Chunking
    from qa.config import Settings

    defaults = Settings()
    chunking = Chunking(defaults.chunk_tokens, defaults.overlap_tokens, defaults.title_tokens)
    return [text for article in articles for text in passages(article, chunking=chunking, embedder=embedder)[1]]


def timed_pipeline(articles, embedder) -> tuple[float, int]:
    from qa.index import Index

    with tempfile.TemporaryDirectory() as folder:
        with Index.open(Path(folder) / "ix", embedder=embedder, create=True) as index:
            started = time.perf_counter()
            report = index.add(articles)
            return time.perf_counter() - started, report.chunks


def search_latency(index_dir: Path) -> None:
    """Default search (hybrid) with the default query backend, as `qa search` and the server run it."""
    from qa.index import Index

    questions = [json.loads(line)["question"] for line in (BENCH / "questions.jsonl").open(encoding="utf-8")]
    with Index.open(index_dir) as index:
        for question in questions[:5]:
            index.search(question, 10)
        latencies = [1000 * timed(lambda q=q: index.search(q, 10)) for q in questions]
        stats = index.stats()
    print(
        f"search over {stats['articles']} articles / {stats['chunks']} chunks, {len(latencies)} questions, k=10: "
        f"p50 {percentile(latencies, 50):.1f} ms, p95 {percentile(latencies, 95):.1f} ms"
    )


def cold_cli(index_dir: Path) -> None:
    """`qa search` in a new process; its peak RSS is the child's own VmHWM (getrusage's figure for
    children would include this 1 GB parent, which the child shares between fork and exec)."""
    report_peak = (
        "import atexit, sys; from qa.cli import main; "
        "atexit.register(lambda: print('VmHWM', open('/proc/self/status').read().split('VmHWM:')[1].split()[0], "
        "file=sys.stderr)); sys.argv = ['qa', *sys.argv[1:]]; main()"
    )
    command = [sys.executable, "-c", report_peak, "search", "what did Blinken say about Article 5?",
               "--index", str(index_dir), "--json"]
    started = time.perf_counter()
    finished = subprocess.run(command, check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    peak_kb = int(finished.stderr.rsplit("VmHWM", 1)[1].split()[0])
    print(f"cold `qa search` (new process, model load included): {seconds:.2f} s, peak RSS {peak_kb / 1024:.0f} MB")


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fmt(values: list[float]) -> str:
    return " / ".join(f"{v:.1f}" for v in values)


if __name__ == "__main__":
    main()
