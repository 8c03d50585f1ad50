"""`qa search`: the passages most relevant to a query."""

from __future__ import annotations

import argparse

from qa.cli.options import filter_options, filters, json_option, mode_option, rerank_option, store_location, store_option
from qa.cli.output import print_json


def add_parser(commands: argparse._SubParsersAction) -> None:
    search = commands.add_parser("search", help="the passages most relevant to a query")
    search.add_argument("query")
    search.add_argument("-k", type=int, default=5, help="how many passages (default 5)")
    filter_options(search)
    mode_option(search)
    search.add_argument(
        "--all-copies", action="store_true",
        help="show each near-copy of a story (the same wire text elsewhere, an update) on its own, not once",
    )
    rerank_option(search)
    store_option(search)
    json_option(search)
    search.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from qa.config import Settings
    from qa.index import Index

    with Index.open(store_location(args), settings=Settings.from_env(reranker=args.rerank)) as index:
        hits = index.search(args.query, args.k, filters=filters(args), mode=args.mode, all_copies=args.all_copies)
    if args.json:
        print_json({"query": args.query, "hits": [hit.to_dict() for hit in hits]})
        return 0
    if not hits:
        print("no matching passages")
    for rank, hit in enumerate(hits, 1):
        byline = ", ".join(part for part in (hit.source, hit.published) if part)
        print(f"{rank}. [{hit.score:.3f}] {hit.title or hit.article_id}" + (f" — {byline}" if byline else ""))
        if hit.url:
            print(f"   {hit.url}")
        print(f"   {hit.article_id} chars {hit.start}-{hit.end}" + (f", p. {hit.page}" if hit.page else ""))
        print("   " + " ".join(hit.text.split()))
        if hit.also_in:
            print("   also in: " + "; ".join(
                " ".join(part for part in (copy.source, copy.published, copy.url or copy.article_id) if part)
                for copy in hit.also_in
            ))
        print()
    return 0
