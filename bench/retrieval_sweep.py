"""Sweep ranking settings on a benchmark's cached index (built by `qa eval BENCH_DIR` first).

    .venv/bin/python bench/retrieval_sweep.py ../shared/bench/realtimeqa --mode hybrid \
        --vary dense_weight=0.25,0.5,1 --vary rrf_k=10,30,60 [--as-of-question-date]

Every combination of the --vary values is evaluated through Index.search, so the figures are those of
the product code with those RankSettings. Tune on the whole question set, never on single questions.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from dataclasses import fields, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import benchmark_index  # noqa: E402
from qa.evaluate import DEPTH, duplicate_aliases, evaluate  # noqa: E402
from qa.search import RankSettings  # noqa: E402
from qa.types import Filters  # noqa: E402

COLUMNS = ("recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10", "answer_in_passages@5", "latency_ms_p50")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    benchmark_index.add_options(parser)
    parser.add_argument("--mode", default="hybrid")
    parser.add_argument("--vary", action="append", default=[], metavar="NAME=V1,V2", help="a RankSettings field")
    args = parser.parse_args()

    grid = [_parse_vary(spec) for spec in args.vary]
    names = [name for name, _ in grid]
    print("\t".join([*names, *COLUMNS]))
    with benchmark_index.opened(args) as (bench, index):
        aliases = duplicate_aliases(bench.articles())
        for values in itertools.product(*(choices for _, choices in grid)):
            index.ranking = replace(RankSettings(), **dict(zip(names, values)))

            def search(query):
                as_of = query.date if args.as_of_question_date else None
                return index.search(query.text, DEPTH, mode=args.mode, filters=Filters(as_of=as_of))

            figures = evaluate(bench, search, aliases)
            print("\t".join([*map(str, values), *(f"{figures.get(c, float('nan')):.3f}" for c in COLUMNS)]), flush=True)


def _parse_vary(spec: str) -> tuple[str, list]:
    name, _, values = spec.partition("=")
    kinds = {field.name: field.type for field in fields(RankSettings)}
    if name not in kinds:
        raise SystemExit(f"unknown setting {name!r}; one of {', '.join(kinds)}")
    return name, [json.loads(value) for value in values.split(",")]


if __name__ == "__main__":
    main()
