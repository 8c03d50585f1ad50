"""The `qa` command. Heavy libraries are imported inside the subcommand that needs them."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Sequence

from qa.config import DEFAULT_INDEX
from qa.errors import QAError


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args) or 0
    except QAError as error:
        print(f"qa: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("qa: interrupted (batches already committed are kept)", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qa", description="Question answering over news articles.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ingest = commands.add_parser("ingest", help="add articles (JSONL, txt, md, html; files or folders)")
    ingest.add_argument("paths", nargs="+", metavar="PATH")
    _index_option(ingest)
    ingest.add_argument("--model", help="sentence-transformers model name or path, for a new index")
    _json_option(ingest)
    ingest.set_defaults(run=_ingest)

    search = commands.add_parser("search", help="the passages most relevant to a query")
    search.add_argument("query")
    search.add_argument("-k", type=int, default=5, help="how many passages (default 5)")
    search.add_argument("--source", help="only this outlet")
    search.add_argument("--since", help="only articles published on or after this date (YYYY-MM-DD)")
    search.add_argument("--until", help="only articles published on or before this date (YYYY-MM-DD)")
    _index_option(search)
    _json_option(search)
    search.set_defaults(run=_search)

    info = commands.add_parser("info", help="what an index holds")
    _index_option(info)
    _json_option(info)
    info.set_defaults(run=_info)

    delete = commands.add_parser("delete", help="remove articles and their vectors")
    delete.add_argument("ids", nargs="+", metavar="ID")
    _index_option(delete)
    _json_option(delete)
    delete.set_defaults(run=_delete)
    return parser


def _index_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--index", default=os.environ.get("QA_INDEX", DEFAULT_INDEX),
        help="index folder (default: $QA_INDEX or ./index)",
    )


def _json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _ingest(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from qa.index import Index
    from qa.ingest import load_articles

    with Index.open(args.index, model=args.model, create=True) as index:
        with tqdm(unit=" articles", desc="ingest", disable=args.json or None, file=sys.stderr) as bar:
            report = index.add(load_articles(*args.paths), on_progress=bar.update)
    if args.json:
        _print_json(report.to_dict())
    else:
        for error in report.failed:
            print(f"skipped {error}", file=sys.stderr)
        print(
            f"added {report.added}, replaced {report.replaced}, skipped {report.skipped}, "
            f"failed {len(report.failed)}; {report.chunks} chunks in {report.seconds:.1f} s"
        )
    return 1 if report.failed and not (report.added or report.replaced or report.skipped) else 0


def _search(args: argparse.Namespace) -> int:
    from qa.index import Index

    with Index.open(args.index) as index:
        hits = index.search(args.query, args.k, source=args.source, since=args.since, until=args.until)
    if args.json:
        _print_json({"query": args.query, "hits": [hit.to_dict() for hit in hits]})
        return 0
    if not hits:
        print("no matching passages")
    for rank, hit in enumerate(hits, 1):
        byline = ", ".join(part for part in (hit.source, hit.published) if part)
        print(f"{rank}. [{hit.score:.3f}] {hit.title or hit.article_id}" + (f" — {byline}" if byline else ""))
        if hit.url:
            print(f"   {hit.url}")
        print(f"   {hit.article_id} chars {hit.start}-{hit.end}")
        print("   " + " ".join(hit.text.split()))
        print()
    return 0


def _info(args: argparse.Namespace) -> int:
    from qa.index import Index

    with Index.open(args.index) as index:
        stats = index.stats()
    if args.json:
        _print_json(stats)
    else:
        for key, value in stats.items():
            print(f"{key}: {value}")
    return 0


def _delete(args: argparse.Namespace) -> int:
    from qa.index import Index

    with Index.open(args.index) as index:
        removed = index.delete(args.ids)
    missing = len(set(args.ids)) - removed
    if args.json:
        _print_json({"deleted": removed, "not_found": missing})
    else:
        print(f"deleted {removed}" + (f"; {missing} not in the index" if missing else ""))
    return 0 if removed or not missing else 1


if __name__ == "__main__":
    sys.exit(main())
