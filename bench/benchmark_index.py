"""What the retrieval sweeps share: command-line options naming a benchmark and its index, and opening
that index (the eval cache of the fp32 reference backend unless --index names another)."""

from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qa.config import DEFAULT_MODEL  # noqa: E402
from qa.evaluate import Benchmark, cached_index_path, load_benchmark, open_benchmark_index  # noqa: E402
from qa.index import Index  # noqa: E402


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("bench_dir")
    parser.add_argument("--as-of-question-date", action="store_true")
    parser.add_argument("--index", help="index folder (default: the eval cache of the fp32 reference backend)")
    parser.add_argument("--backend", help="query embedding backend (default: as for any search of the index)")


@contextmanager
def opened(args: argparse.Namespace) -> Iterator[tuple[Benchmark, Index]]:
    bench = load_benchmark(args.bench_dir)
    chunking = bench.default_chunking()
    folder = Path(args.index) if args.index else cached_index_path(bench, DEFAULT_MODEL, chunking, args.backend or "torch")
    with open_benchmark_index(bench, folder, model=DEFAULT_MODEL, chunking=chunking, backend=args.backend) as index:
        yield bench, index
