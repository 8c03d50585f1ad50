"""The `qa` command: one module per subcommand, each adding its parser and running it. Heavy libraries are
imported inside the subcommand that needs them."""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from qa.cli import ask, delete, evaluate, info, ingest, quotes, search, serve, snapshot, watch
from qa.errors import QAError

COMMANDS = (ingest, watch, search, ask, quotes, evaluate, info, delete, snapshot, serve)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qa", description="Question answering over news articles.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args) or 0
    except QAError as error:
        print(f"qa: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("qa: interrupted (batches already committed are kept)", file=sys.stderr)
        return 130
