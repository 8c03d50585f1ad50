"""`qa ingest`: add articles from files, folders and web addresses."""

from __future__ import annotations

import argparse
import sys

from qa import config
from qa.cli.options import json_option, store_location, store_option
from qa.cli.output import announce_wait, print_json


def add_parser(commands: argparse._SubParsersAction) -> None:
    ingest = commands.add_parser("ingest", help="add articles from files, folders and web addresses (pages, feeds)")
    ingest.add_argument("paths", nargs="+", metavar="PATH_OR_URL")
    store_option(ingest)
    ingest.add_argument("--model", help="sentence-transformers model name or path, for a new index")
    ingest.add_argument(
        "--ray", metavar="ADDRESS",
        help="embed on the Ray cluster at ADDRESS (HOST:PORT of its head), or 'local' to start one here",
    )
    json_option(ingest)
    ingest.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from qa.index import Index
    from qa.ingest.urls import load_sources, peek_articles
    from qa.types import IngestReport

    failed, items = peek_articles(load_sources(args.paths, config.FetchConfig(allow_private=True)))
    report = IngestReport(failed=tuple(failed))  # unless there is something to add: else the index is not opened
    if items is not None and args.ray:
        from qa.indexing_ray import check_address

        check_address(args.ray)  # before the index is opened: a new one is not left behind
    if items is not None:
        location = store_location(args)
        with Index.open(location, model=args.model, create=True, on_write_wait=announce_wait(location)) as index:
            with tqdm(unit=" articles", desc="ingest", disable=args.json or None, file=sys.stderr) as bar:
                report = index.add(items, on_progress=bar.update, ray=args.ray)
    if args.json:
        print_json(report.to_dict())
    else:
        for error in report.failed:
            print(f"skipped {error}", file=sys.stderr)
        print(
            f"added {report.added}, replaced {report.replaced}, skipped {report.skipped}, "
            f"failed {len(report.failed)}; {report.chunks} chunks in {report.seconds:.1f} s"
        )
    return 1 if report.failed and not (report.added or report.replaced or report.skipped) else 0
