"""`qa watch`: poll feeds and sitemaps, adding new and changed articles."""

from __future__ import annotations

import argparse

from qa.cli.options import index_option
from qa.cli.output import announce_wait


def add_parser(commands: argparse._SubParsersAction) -> None:
    watch = commands.add_parser("watch", help="poll RSS/Atom feeds and sitemaps, adding new and changed articles")
    watch.add_argument("urls", nargs="+", metavar="FEED_OR_SITEMAP")
    watch.add_argument("--every", default="15m", help="how often to poll each address: 30s, 15m, 2h (default 15m)")
    watch.add_argument("--once", action="store_true", help="poll each address once, then stop")
    index_option(watch)
    watch.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from qa.watch import watch

    watch(args.index, args.urls, every=args.every, once=args.once, on_write_wait=announce_wait(args.index))
    return 0
