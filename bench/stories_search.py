"""What showing each wire story once costs a search (issue 13, item 4).

The 95 RealTime QA questions are searched on an index whose stories are grouped, each question twice
in turn: as shipped (search.one_per_story and StoreView.copies, which fills also_in) and with both
replaced by no-ops, the order alternating, after a warm-up. Reports the median and p95 of each.

    .venv/bin/python bench/stories_search.py --index ~/.cache/article-qa/stories/rtqa-after [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT.parent / "shared" / "bench" / "realtimeqa"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--questions", type=Path, default=BENCH / "questions.jsonl")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    from qa import search
    from qa.index import Index
    from qa.store import StoreView

    questions = [json.loads(line)["question"] for line in args.questions.read_text(encoding="utf-8").splitlines() if line]
    shipped = (search.one_per_story, StoreView.copies)
    off = (lambda view, ranked, facts: ranked, lambda self, article_ids, filters=None: {})

    def use(pair) -> None:
        search.one_per_story, StoreView.copies = pair

    times: dict[str, list[float]] = {"shipped": [], "off": []}
    with Index.open(args.index) as index:
        for question in questions[:5]:
            index.search(question, 10)
        for round_number in range(args.rounds):
            for number, question in enumerate(questions):
                order = ("shipped", "off") if (round_number + number) % 2 == 0 else ("off", "shipped")
                for kind in order:
                    use(shipped if kind == "shipped" else off)
                    started = time.perf_counter()
                    index.search(question, 10)
                    times[kind].append(1000 * (time.perf_counter() - started))
        use(shipped)
    for kind, values in times.items():
        values.sort()
        print(f"{kind:>7}: {len(values)} searches, p50 {statistics.median(values):.2f} ms, "
              f"p95 {values[int(0.95 * (len(values) - 1))]:.2f} ms")


if __name__ == "__main__":
    main()
