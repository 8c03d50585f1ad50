"""`qa eval`: retrieval quality on a benchmark folder."""

from __future__ import annotations

import argparse

from qa.cli.options import json_option, mode_option, rerank_option
from qa.cli.output import print_fields
from qa.config import DEFAULT_MODEL


def add_parser(commands: argparse._SubParsersAction) -> None:
    evaluate = commands.add_parser(
        "eval", help="retrieval quality on a benchmark folder (articles + questions, or BEIR)"
    )
    evaluate.add_argument("bench_dir", metavar="BENCH_DIR")
    evaluate.add_argument(
        "--index", help="index folder to use or build (default: a cache under $QA_CACHE or ~/.cache/article-qa)"
    )
    mode_option(evaluate)
    evaluate.add_argument(
        "--as-of-question-date", action="store_true", help="search each question as on the date it was asked"
    )
    evaluate.add_argument("--model", default=DEFAULT_MODEL, help="embedding model of the index to build")
    evaluate.add_argument(
        "--backend", help="embedding backend of the index to build and of the queries (default: $QA_BACKEND, "
        "else the default backend)"
    )
    evaluate.add_argument(
        "--chunk-tokens", type=int, help="chunk budget of the index to build; 0 embeds each document whole"
    )
    evaluate.add_argument("--overlap-tokens", type=int, help="chunk overlap of the index to build")
    rerank_option(evaluate)
    json_option(evaluate)
    evaluate.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from qa.evaluate import load_benchmark
    from qa.evaluate import run as run_benchmark

    chunking = load_benchmark(args.bench_dir).default_chunking()
    chunking.update({
        key: value for key, value in
        (("chunk_tokens", args.chunk_tokens), ("overlap_tokens", args.overlap_tokens)) if value is not None
    })
    report = run_benchmark(
        args.bench_dir, index_dir=args.index, mode=args.mode, use_dates=args.as_of_question_date,
        model=args.model, chunking=chunking, backend=args.backend, reranker=args.rerank, quiet=args.json,
    )
    print_fields(report, as_json=args.json)
    return 0
