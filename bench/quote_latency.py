"""Quote answer latency on the RealTime QA eval index (issue #11: p50 ≤ 300 ms, model loaded): each dev
question of bench/quotes (questions.jsonl and decline.jsonl) asked through `ask`, after one untimed pass
that loads the model and warms the index and caches.

    .venv/bin/python bench/quote_latency.py --index ~/.cache/article-qa/quotes-eval-quotefast
    .venv/bin/python bench/quote_latency.py --index DIR --against /tmp/main-tree --rounds 3

With --against, the same run also times the `qa` package of another source tree (e.g. `git archive main`
unpacked), alternating between the two trees round by round in fresh processes, so that both see the same
machine load; it reports each one's p50/p95 and whether their answers are the same. Each worker only reads
the index (use a copy of the cached eval index all the same: opening an index may migrate it).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUOTES = ROOT / "bench" / "quotes"


def _dev_questions() -> dict[str, list[dict]]:
    found = {}
    for kind, name in (("say", "questions.jsonl"), ("decline", "decline.jsonl")):
        rows = [json.loads(line) for line in (QUOTES / name).read_text(encoding="utf-8").splitlines() if line.strip()]
        found[kind] = [row for row in rows if row["split"] == "dev"]
    return found


def worker(index_path: Path) -> None:
    """One process: the `qa` on sys.path (PYTHONPATH names the tree) answers every dev question twice, the
    first pass untimed; prints the second pass's seconds per question and its answers as JSON."""
    from qa.answer import ask
    from qa.index import Index
    from qa.types import Filters

    questions = _dev_questions()
    result: dict[str, dict] = {}
    with Index.open(index_path) as index:
        for timed in (False, True):
            for kind, rows in questions.items():
                seconds, answers = [], []
                for row in rows:
                    started = time.perf_counter()
                    answer = ask(index, row["question"], filters=Filters(as_of=row["as_of"]), llm=None)
                    seconds.append(time.perf_counter() - started)
                    answers.append([answer.kind, answer.text, [[c.article_id, c.start, c.end] for c in answer.citations]])
                if timed:
                    result[kind] = {"seconds": seconds, "answers": answers}
    print(json.dumps(result))


def _run(tree: Path, index_path: Path) -> dict[str, dict]:
    env = dict(os.environ, PYTHONPATH=str(tree))
    done = subprocess.run(
        [sys.executable, __file__, "--worker", "--index", str(index_path)],
        env=env, capture_output=True, text=True, check=False,
    )
    if done.returncode:
        raise SystemExit(f"worker for {tree} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _percentiles(seconds: list[float]) -> str:
    import numpy as np

    values = np.asarray(seconds) * 1000
    return f"p50 {np.percentile(values, 50):6.0f} ms  p95 {np.percentile(values, 95):6.0f} ms  (n={len(values)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, required=True, help="the eval index (a copy of quotes-eval)")
    parser.add_argument("--against", type=Path, help="another source tree to time alternately with this one")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.index)
        return
    trees = {"this": ROOT} | ({"against": args.against.resolve()} if args.against else {})
    print(f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, load {os.getloadavg()[0]:.1f}; trees: "
          + ", ".join(f"{name} = {tree}" for name, tree in trees.items()))
    seconds: dict[str, dict[str, list[float]]] = {name: {} for name in trees}
    answers: dict[str, dict[str, list]] = {name: {} for name in trees}
    for round_number in range(args.rounds):
        order = list(trees) if round_number % 2 == 0 else list(reversed(trees))
        for name in order:
            for kind, measured in _run(trees[name], args.index).items():
                seconds[name].setdefault(kind, []).extend(measured["seconds"])
                answers[name][kind] = measured["answers"]
        print(f"round {round_number + 1} done, load {os.getloadavg()[0]:.1f}")
    for name in trees:
        for kind, values in seconds[name].items():
            print(f"{name:8s} {kind:8s} {_percentiles(values)}")
        print(f"{name:8s} {'all':8s} {_percentiles([v for values in seconds[name].values() for v in values])}")
    if args.against:
        for kind in answers["this"]:
            same = sum(a == b for a, b in zip(answers["this"][kind], answers["against"][kind]))
            print(f"{kind}: {same}/{len(answers['this'][kind])} answers the same in both trees")
    print(f"end {datetime.now(timezone.utc):%H:%M} UTC, load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
