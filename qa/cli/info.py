"""`qa info`: what an index holds."""

from __future__ import annotations

import argparse

from qa.cli.options import index_option, json_option
from qa.cli.output import print_fields


def add_parser(commands: argparse._SubParsersAction) -> None:
    info = commands.add_parser("info", help="what an index holds")
    index_option(info)
    json_option(info)
    info.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from qa.index import Index

    with Index.open(args.index) as index:
        stats = index.stats()
    print_fields(stats, as_json=args.json)
    return 0
