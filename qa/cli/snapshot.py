"""`qa snapshot`: a consistent copy of an index, also while it is served or written."""

from __future__ import annotations

import argparse

from qa.cli.options import index_option, json_option
from qa.cli.output import print_json


def add_parser(commands: argparse._SubParsersAction) -> None:
    snapshot = commands.add_parser(
        "snapshot", help="a consistent copy of the index, also while it is served or written",
        description="Copy the index into the new folder DEST as of one committed state, while other "
        "processes may be searching or writing it. Open the copy with --index DEST, or move it into place.",
    )
    snapshot.add_argument("dest", metavar="DEST", help="folder to create (it must not exist)")
    index_option(snapshot)
    json_option(snapshot)
    snapshot.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from qa.store.snapshot import snapshot

    report = snapshot(args.index, args.dest)
    if args.json:
        print_json(report.to_dict())
        return 0
    copied = {True: "copied", False: "built from SQLite on first open"}
    print(
        f"snapshot of {args.index} in {report.destination}: {report.articles} articles, {report.chunks} chunks, "
        f"{report.quotes} quotes (generation {report.generation}); vectors {copied[report.vectors_copied]}, "
        f"keywords {copied[report.keywords_copied]}; {report.seconds:.1f} s"
    )
    return 0
