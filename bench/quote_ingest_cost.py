"""What storing quote vectors and people costs at ingest: `qa ingest` of the same RealTime QA slice by this
checkout and by an earlier one (a git worktree with its own .venv), alternating, in one run.

    git worktree add --detach /tmp/before 912bb37 && (cd /tmp/before && bash scripts/install.sh)
    .venv/bin/python bench/quote_ingest_cost.py --before /tmp/before --articles 300 --rounds 3

Each round ingests the slice into a new index with the default (int8) backend, as a user would; the model
is compiled once beforehand, so rounds time the pipeline. Prints each round and the ratio of medians.
First, the part of it that is new model work, measured without the rest of the pipeline's noise: the
slice's passages and its quotes' framings embedded in turn by one model, their tokens and seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT.parent / "shared" / "bench" / "realtimeqa" / "articles.jsonl"


def ingest_seconds(checkout: Path, articles: Path, scratch: Path) -> float:
    folder = scratch / "index"
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run([str(checkout / ".venv" / "bin" / "python"), "-m", "qa.cli", "ingest", str(articles),
                    "--index", str(folder), "--json"], cwd=checkout, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(checkout)})
    return time.perf_counter() - started


def embedding_share(articles: Path, rounds: int) -> dict[str, float]:
    """Tokens and seconds of embedding the quote framings, as a share of embedding the passages."""
    import sys

    sys.path.insert(0, str(ROOT))
    from qa.embed import load_embedder
    from qa.indexing import passages
    from qa.ingest import load_articles
    from qa.quotes import read_quotes
    from qa.store import Chunking

    embedder = load_embedder("all-MiniLM-L6-v2", "openvino-int8")
    chunking = Chunking(chunk_tokens=256, overlap_tokens=32, title_tokens=48)
    passage_texts, framings = [], []
    for article in load_articles(articles):
        passage_texts += passages(article, chunking=chunking, embedder=embedder)[1]
        found = read_quotes(article)
        framings += [article.text[s:e] for q, (s, e) in zip(found.quotes, found.frames) if q.speaker]
    seconds: dict[str, list[float]] = {"passages": [], "framings": []}
    for _ in range(rounds):
        for name, texts in (("passages", passage_texts), ("framings", framings)):
            started = time.perf_counter()
            embedder.embed_documents(texts, batch_size=32)
            seconds[name].append(time.perf_counter() - started)
    tokens = {name: sum(embedder.count_tokens(texts)) for name, texts in
              (("passages", passage_texts), ("framings", framings))}
    return {"passages": len(passage_texts), "framings": len(framings),
            "token_share": round(tokens["framings"] / tokens["passages"], 3),
            "seconds_share": round(min(seconds["framings"]) / min(seconds["passages"]), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", type=Path, required=True, help="checkout of the earlier code, with .venv")
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        sliced = scratch / "slice.jsonl"
        with BENCH.open(encoding="utf-8") as source:
            sliced.write_text("".join(line for _, line in zip(range(args.articles), source)), encoding="utf-8")
        print(json.dumps({"embedding": embedding_share(sliced, args.rounds)}), flush=True)
        checkouts = {"before": args.before.resolve(), "after": ROOT}
        for checkout in checkouts.values():  # warm: compiled model, page cache
            ingest_seconds(checkout, sliced, scratch)
        times: dict[str, list[float]] = {name: [] for name in checkouts}
        for round_number in range(args.rounds):
            order = list(checkouts) if round_number % 2 == 0 else list(reversed(checkouts))
            for name in order:
                times[name].append(ingest_seconds(checkouts[name], sliced, scratch))
                print(f"round {round_number + 1} {name}: {times[name][-1]:.1f} s", flush=True)
    before, after = statistics.median(times["before"]), statistics.median(times["after"])
    print(json.dumps({"articles": args.articles, "rounds": args.rounds, "before_s": round(before, 1),
                      "after_s": round(after, 1), "ratio": round(after / before, 3),
                      "load": os.getloadavg()[0]}))


if __name__ == "__main__":
    main()
