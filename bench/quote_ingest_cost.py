"""What storing quote vectors and people costs at ingest: `qa ingest` of the same RealTime QA slice by this
checkout and by an earlier one (a git worktree with its own .venv), alternating, in one run.

    git worktree add --detach /tmp/before 912bb37 && (cd /tmp/before && bash scripts/install.sh)
    .venv/bin/python bench/quote_ingest_cost.py --before /tmp/before --articles 300 --rounds 3

Each round ingests the slice into a new index with the default (int8) backend, as a user would; the model
is compiled once beforehand, so rounds time the pipeline. Prints each round and the ratio of medians.
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
