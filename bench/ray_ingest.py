"""Ingest throughput of `qa ingest --ray` against a plain `qa ingest` (issue 12), measured side by side.

The first N RealTime QA articles go into a new index, in alternated rounds: plain `qa ingest`, then
`--ray` on a loopback cluster of a head (no CPUs for tasks: it only coordinates) and 1 worker node,
then the same with 2 worker nodes; each worker node offers 1 CPU, so the pool has one actor per worker
node. Each run is the whole command in a new process (model loads, connecting, reading, committing,
saving); a cluster's start is not timed. Figures: articles per second of the command's wall time, the
ingest's own time (IngestReport.seconds) and the 1-minute load average around the run.

    .venv/bin/python bench/ray_ingest.py --articles 200 --rounds 2
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
ARTICLES = ROOT.parent / "shared" / "bench" / "realtimeqa" / "articles.jsonl"

from ray_cluster import loopback_cluster  # noqa: E402  (tests/ray_cluster.py: the same cluster the tests use)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=200, help="articles of the slice, from the start")
    parser.add_argument("--rounds", type=int, default=2, help="alternated rounds of the three set-ups")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ray-ingest-") as scratch:
        folder = Path(scratch)
        source = folder / "slice.jsonl"
        with open(ARTICLES, encoding="utf-8") as articles:
            source.write_text("".join(next(articles) for _ in range(args.articles)), encoding="utf-8")
        runs: dict[str, list[dict]] = {"plain": [], "ray, 1 worker node": [], "ray, 2 worker nodes": []}
        for round_number in range(args.rounds):
            runs["plain"].append(timed(source, folder / f"plain{round_number}", dict(os.environ)))
            for workers in (1, 2):
                with loopback_cluster(workers, head_cpus=0) as env:
                    runs[f"ray, {workers} worker node{'s' * (workers > 1)}"].append(
                        timed(source, folder / f"ray{workers}-{round_number}", env, ray=env["RAY_ADDRESS"])
                    )
            print(json.dumps({name: found[-1] for name, found in runs.items()}), file=sys.stderr, flush=True)
    plain = statistics.median(run["articles_per_s"] for run in runs["plain"])
    summary = {
        name: {
            "articles_per_s": [run["articles_per_s"] for run in found],
            "ingest_seconds": [run["ingest_seconds"] for run in found],
            "load_1min": [run["load"] for run in found],
            "vs_plain": round(statistics.median(run["articles_per_s"] for run in found) / plain, 2),
        }
        for name, found in runs.items()
    }
    print(json.dumps({"articles": args.articles, "rounds": args.rounds, "cpus": os.cpu_count(), **summary}, indent=1))


def timed(source: Path, index: Path, env: dict, *, ray: str | None = None) -> dict:
    command = [sys.executable, "-m", "qa.cli", "ingest", str(source), "--index", str(index), "--json"]
    load = os.getloadavg()[0]
    started = time.perf_counter()
    done = subprocess.run(command + (["--ray", ray] if ray else []), env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    report = json.loads(done.stdout)
    return {
        "articles_per_s": round(report["added"] / seconds, 2), "seconds": round(seconds, 1),
        "ingest_seconds": round(report["seconds"], 1), "chunks": report["chunks"],
        "load": round((load + os.getloadavg()[0]) / 2, 1),
    }


if __name__ == "__main__":
    main()
