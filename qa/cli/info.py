"""`qa info`: what an index holds."""

from __future__ import annotations

import argparse

from qa.cli.options import json_option, store_location, store_option
from qa.cli.output import print_fields


def add_parser(commands: argparse._SubParsersAction) -> None:
    info = commands.add_parser("info", help="what an index holds")
    store_option(info)
    json_option(info)
    info.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from qa.index import Index

    with Index.open(store_location(args)) as index:
        stats = index.stats()
    print_fields(stats, as_json=args.json)
    return 0
