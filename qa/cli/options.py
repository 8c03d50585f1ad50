"""Options several subcommands share, and the values read from them."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from qa import config

if TYPE_CHECKING:
    from qa.types import Filters


def rerank_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rerank", metavar="MODEL",
        help="reorder the top results with this sentence-transformers CrossEncoder (name or folder; "
        "default: $QA_RERANKER, else none)",
    )


def mode_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--mode", choices=("hybrid", "dense", "bm25"), default="hybrid",
        help="hybrid: keyword and vector search fused (default); dense: vectors only; bm25: keywords only",
    )


def filter_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", help="only this outlet")
    parser.add_argument("--since", help="only articles published on or after this date (YYYY-MM-DD)")
    parser.add_argument("--until", help="only articles published on or before this date (YYYY-MM-DD)")
    parser.add_argument(
        "--as-of", help="as on this date (YYYY-MM-DD): nothing published later, recent articles first, and a "
        "role means whoever held it then"
    )


def filters(args: argparse.Namespace) -> Filters:
    from qa.types import Filters

    return Filters(source=args.source, since=args.since, until=args.until, as_of=args.as_of)


def index_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--index", default=config.index_path(),
        help="index folder (default: $QA_INDEX or ./index)",
    )


def store_option(parser: argparse.ArgumentParser) -> None:
    """Where the articles are: --index DIR (a local index folder) or --store milvus://HOST:PORT/COLLECTION."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--index", help="index folder (default: $QA_STORE, else $QA_INDEX, else ./index)")
    where.add_argument(
        "--store", metavar="LOCATION",
        help="milvus://HOST:PORT/COLLECTION: the articles in a Milvus server's collections (or an index folder)",
    )


def store_location(args: argparse.Namespace) -> str:
    return args.store or args.index or config.store_location() or config.index_path()


def json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object")
