"""`qa quotes`: a speaker's quotations, oldest first."""

from __future__ import annotations

import argparse
import sys

from qa.cli.options import json_option, store_location, store_option
from qa.cli.output import announce_wait, print_json


def add_parser(commands: argparse._SubParsersAction) -> None:
    quotes = commands.add_parser(
        "quotes", help="a speaker's quotations, oldest first (a timeline)",
        description="Everything SPEAKER (a name or role) was quoted saying, about TOPIC when given, oldest first, "
        "each an exact span of its article; the same words carried by several articles are listed once.",
    )
    quotes.add_argument("speaker", metavar="SPEAKER")
    quotes.add_argument("--about", default="", metavar="TOPIC", help="only quotations about this topic")
    quotes.add_argument("--since", help="only articles published on or after this date (YYYY-MM-DD)")
    quotes.add_argument("--until", help="only articles published on or before this date (YYYY-MM-DD)")
    store_option(quotes)
    json_option(quotes)
    quotes.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from qa.answer.timeline import speaker_timeline
    from qa.index import Index
    from qa.types import Filters

    location = store_location(args)
    with Index.open(location, on_write_wait=announce_wait(location)) as index:
        if index.quotes_pending():
            print("qa: reading the quotes of the stored articles (once)…", file=sys.stderr)
            index.ensure_quotes()
        filters = Filters(since=args.since, until=args.until)
        timeline = speaker_timeline(index, args.speaker, about=args.about, filters=filters)
    if args.json:
        print_json(timeline.to_dict())
    else:
        print(timeline.text())
    return 0
