"""`qa delete`: remove articles and their vectors."""

from __future__ import annotations

import argparse

from qa.cli.options import json_option, store_location, store_option
from qa.cli.output import announce_wait, print_json


def add_parser(commands: argparse._SubParsersAction) -> None:
    delete = commands.add_parser("delete", help="remove articles and their vectors")
    delete.add_argument("ids", nargs="+", metavar="ID")
    store_option(delete)
    json_option(delete)
    delete.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from qa.index import Index

    location = store_location(args)
    with Index.open(location, on_write_wait=announce_wait(location)) as index:
        removed = index.delete(args.ids)
    missing = len(set(args.ids)) - removed
    if args.json:
        print_json({"deleted": removed, "not_found": missing})
    else:
        print(f"deleted {removed}" + (f"; {missing} not in the index" if missing else ""))
    return 0 if removed or not missing else 1
