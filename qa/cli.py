"""The `qa` command. Heavy libraries are imported inside the subcommand that needs them."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Sequence

from qa import config
from qa.config import DEFAULT_MODEL
from qa.errors import QAError

if TYPE_CHECKING:
    from qa.store.writelock import Holder, WaitCallback


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

    ingest = commands.add_parser("ingest", help="add articles from files, folders and web addresses (pages, feeds)")
    ingest.add_argument("paths", nargs="+", metavar="PATH_OR_URL")
    _index_option(ingest)
    ingest.add_argument("--model", help="sentence-transformers model name or path, for a new index")
    _json_option(ingest)
    ingest.set_defaults(run=_ingest)

    watch = commands.add_parser("watch", help="poll RSS/Atom feeds and sitemaps, adding new and changed articles")
    watch.add_argument("urls", nargs="+", metavar="FEED_OR_SITEMAP")
    watch.add_argument("--every", default="15m", help="how often to poll each address: 30s, 15m, 2h (default 15m)")
    watch.add_argument("--once", action="store_true", help="poll each address once, then stop")
    _index_option(watch)
    watch.set_defaults(run=_watch)

    search = commands.add_parser("search", help="the passages most relevant to a query")
    search.add_argument("query")
    search.add_argument("-k", type=int, default=5, help="how many passages (default 5)")
    _filter_options(search)
    _mode_option(search)
    search.add_argument(
        "--as-of", help="search as on this date (YYYY-MM-DD): nothing published later, recent articles first"
    )
    search.add_argument(
        "--all-copies", action="store_true",
        help="show each near-copy of a story (the same wire text elsewhere, an update) on its own, not once",
    )
    _rerank_option(search)
    _index_option(search)
    _json_option(search)
    search.set_defaults(run=_search)

    ask = commands.add_parser("ask", help="a short answer with numbered, verified citations")
    ask.add_argument("question")
    ask.add_argument("-k", type=int, default=5, help="how many passages to read (default 5)")
    _filter_options(ask)
    ask.add_argument(
        "--llm-url",
        help="OpenAI-compatible server that writes the answer from the passages, e.g. http://127.0.0.1:8080/v1 "
        "(default: $QA_LLM_URL; none: extractive answers)",
    )
    ask.add_argument("--llm-model", help="model name to request (default: $QA_LLM_MODEL)")
    _index_option(ask)
    _json_option(ask)
    ask.set_defaults(run=_ask)

    quotes = commands.add_parser(
        "quotes", help="a speaker's quotations, oldest first (a timeline)",
        description="Everything SPEAKER (a name or role) was quoted saying, about TOPIC when given, oldest first, "
        "each an exact span of its article; the same words carried by several articles are listed once.",
    )
    quotes.add_argument("speaker", metavar="SPEAKER")
    quotes.add_argument("--about", default="", metavar="TOPIC", help="only quotations about this topic")
    quotes.add_argument("--since", help="only articles published on or after this date (YYYY-MM-DD)")
    quotes.add_argument("--until", help="only articles published on or before this date (YYYY-MM-DD)")
    _index_option(quotes)
    _json_option(quotes)
    quotes.set_defaults(run=_quotes)

    _eval_parser(commands)

    info = commands.add_parser("info", help="what an index holds")
    _index_option(info)
    _json_option(info)
    info.set_defaults(run=_info)

    delete = commands.add_parser("delete", help="remove articles and their vectors")
    delete.add_argument("ids", nargs="+", metavar="ID")
    _index_option(delete)
    _json_option(delete)
    delete.set_defaults(run=_delete)

    snapshot = commands.add_parser(
        "snapshot", help="a consistent copy of the index, also while it is served or written",
        description="Copy the index into the new folder DEST as of one committed state, while other "
        "processes may be searching or writing it. Open the copy with --index DEST, or move it into place.",
    )
    snapshot.add_argument("dest", metavar="DEST", help="folder to create (it must not exist)")
    _index_option(snapshot)
    _json_option(snapshot)
    snapshot.set_defaults(run=_snapshot)

    serve = commands.add_parser("serve", help="the web chat at / and the REST API under /api")
    _index_option(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=int, default=7860, help="port to listen on (default 7860)")
    serve.add_argument(
        "--auth-token", default=config.auth_token(),
        help="require this access token from browsers and API clients (default: $QA_AUTH_TOKEN; none)",
    )
    serve.add_argument("--max-upload-mb", type=float, default=20, help="largest upload accepted (default 20 MB)")
    serve.add_argument("--allow-private-urls", action="store_true", help="let users add articles from private addresses")
    serve.set_defaults(run=_serve)
    return parser


def _eval_parser(commands: argparse._SubParsersAction) -> None:
    evaluate = commands.add_parser(
        "eval", help="retrieval quality on a benchmark folder (articles + questions, or BEIR)"
    )
    evaluate.add_argument("bench_dir", metavar="BENCH_DIR")
    evaluate.add_argument(
        "--index", help="index folder to use or build (default: a cache under $QA_CACHE or ~/.cache/article-qa)"
    )
    _mode_option(evaluate)
    evaluate.add_argument(
        "--as-of-question-date", action="store_true", help="search each question as on the date it was asked"
    )
    evaluate.add_argument("--model", default=DEFAULT_MODEL, help="embedding model of the index to build")
    evaluate.add_argument(
        "--backend", help="embedding backend of the index to build and of the queries (default: $QA_BACKEND, "
        "else the default backend)"
    )
    evaluate.add_argument(
        "--chunk-tokens", type=int, help="chunk budget of the index to build; 0 embeds each document whole"
    )
    evaluate.add_argument("--overlap-tokens", type=int, help="chunk overlap of the index to build")
    _rerank_option(evaluate)
    _json_option(evaluate)
    evaluate.set_defaults(run=_eval)


def _rerank_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rerank", metavar="MODEL",
        help="reorder the top results with this sentence-transformers CrossEncoder (name or folder; "
        "default: $QA_RERANKER, else none)",
    )


def _mode_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--mode", choices=("hybrid", "dense", "bm25"), default="hybrid",
        help="hybrid: keyword and vector search fused (default); dense: vectors only; bm25: keywords only",
    )


def _filter_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", help="only this outlet")
    parser.add_argument("--since", help="only articles published on or after this date (YYYY-MM-DD)")
    parser.add_argument("--until", help="only articles published on or before this date (YYYY-MM-DD)")


def _filters(args: argparse.Namespace):
    from qa.types import Filters

    return Filters(source=args.source, since=args.since, until=args.until, as_of=getattr(args, "as_of", None))


def _index_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--index", default=config.index_path(),
        help="index folder (default: $QA_INDEX or ./index)",
    )


def _json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _print_fields(data: dict, *, as_json: bool) -> None:
    if as_json:
        _print_json(data)
    else:
        for key, value in data.items():
            print(f"{key}: {value}")


def _ingest(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from qa.index import Index
    from qa.ingest.urls import load_sources, peek_articles
    from qa.types import IngestReport

    failed, items = peek_articles(load_sources(args.paths, config.FetchConfig(allow_private=True)))
    report = IngestReport(failed=tuple(failed))  # unless there is something to add: else the index is not opened
    if items is not None:
        with Index.open(args.index, model=args.model, create=True, on_write_wait=_announce_wait(args.index)) as index:
            with tqdm(unit=" articles", desc="ingest", disable=args.json or None, file=sys.stderr) as bar:
                report = index.add(items, on_progress=bar.update)
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


def _watch(args: argparse.Namespace) -> int:
    from qa.watch import watch

    watch(args.index, args.urls, every=args.every, once=args.once, on_write_wait=_announce_wait(args.index))
    return 0


def _search(args: argparse.Namespace) -> int:
    from qa.config import Settings
    from qa.index import Index

    with Index.open(args.index, settings=Settings.from_env(reranker=args.rerank)) as index:
        hits = index.search(args.query, args.k, filters=_filters(args), mode=args.mode, all_copies=args.all_copies)
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
        print(f"   {hit.article_id} chars {hit.start}-{hit.end}" + (f", p. {hit.page}" if hit.page else ""))
        print("   " + " ".join(hit.text.split()))
        if hit.also_in:
            print("   also in: " + "; ".join(
                " ".join(part for part in (copy.source, copy.published, copy.url or copy.article_id) if part)
                for copy in hit.also_in
            ))
        print()
    return 0


def _ask(args: argparse.Namespace) -> int:
    from qa.answer import ask_stream
    from qa.index import Index
    from qa.quotes.speakers import parse_say_question
    from qa.types import Answer

    llm = config.LLMConfig.from_env(url=args.llm_url, model=args.llm_model)
    streaming = llm is not None and not args.json
    with Index.open(args.index, on_write_wait=_announce_wait(args.index)) as index:
        if index.quotes_pending() and parse_say_question(args.question):
            print("qa: reading and embedding the quotes of the stored articles (once; passages are not re-embedded)…",
                  file=sys.stderr)
            index.ensure_quotes()
        streamed: list[str] = []
        for item in ask_stream(index, args.question, k=args.k, filters=_filters(args), llm=llm):
            if isinstance(item, Answer):
                answer = item
            elif streaming:
                streamed.append(item)
                print(item, end="", flush=True)
    if args.json:
        _print_json(answer.to_dict())
        return 0
    if not streaming:
        print(answer.text)
    elif "".join(streamed).strip() != answer.text.strip():
        # The model's draft had citations to drop or renumber, or it failed: show what holds up.
        print("\n\nChecked answer:" if streamed else "")
        print(answer.text)
    print()
    for citation in answer.citations:
        byline = ", ".join(part for part in (citation.source, citation.published) if part)
        print(f"[{citation.number}] {citation.title or citation.article_id}" + (f" — {byline}" if byline else ""))
        if citation.url:
            print(f"    {citation.url}")
        print(f"    {citation.article_id} chars {citation.start}-{citation.end}")
    if answer.kind == "none" and answer.hits:
        print("closest passages:")
        for rank, hit in enumerate(answer.hits, 1):
            print(f"{rank}. {hit.title or hit.article_id} — {' '.join(hit.text.split())[:200]}")
    return 0


def _quotes(args: argparse.Namespace) -> int:
    from qa.answer.timeline import speaker_timeline
    from qa.index import Index
    from qa.types import Filters

    with Index.open(args.index, on_write_wait=_announce_wait(args.index)) as index:
        if index.quotes_pending():
            print("qa: reading the quotes of the stored articles (once)…", file=sys.stderr)
            index.ensure_quotes()
        filters = Filters(since=args.since, until=args.until)
        timeline = speaker_timeline(index, args.speaker, about=args.about, filters=filters)
    if args.json:
        _print_json(timeline.to_dict())
    else:
        print(timeline.text())
    return 0


def _eval(args: argparse.Namespace) -> int:
    from qa.evaluate import load_benchmark, run

    chunking = load_benchmark(args.bench_dir).default_chunking()
    chunking.update({
        key: value for key, value in
        (("chunk_tokens", args.chunk_tokens), ("overlap_tokens", args.overlap_tokens)) if value is not None
    })
    report = run(
        args.bench_dir, index_dir=args.index, mode=args.mode, use_dates=args.as_of_question_date,
        model=args.model, chunking=chunking, backend=args.backend, reranker=args.rerank, quiet=args.json,
    )
    _print_fields(report, as_json=args.json)
    return 0


def _info(args: argparse.Namespace) -> int:
    from qa.index import Index

    with Index.open(args.index) as index:
        stats = index.stats()
    _print_fields(stats, as_json=args.json)
    return 0


def _delete(args: argparse.Namespace) -> int:
    from qa.index import Index

    with Index.open(args.index, on_write_wait=_announce_wait(args.index)) as index:
        removed = index.delete(args.ids)
    missing = len(set(args.ids)) - removed
    if args.json:
        _print_json({"deleted": removed, "not_found": missing})
    else:
        print(f"deleted {removed}" + (f"; {missing} not in the index" if missing else ""))
    return 0 if removed or not missing else 1


def _snapshot(args: argparse.Namespace) -> int:
    from qa.store.snapshot import snapshot

    report = snapshot(args.index, args.dest)
    if args.json:
        _print_json(report.to_dict())
        return 0
    copied = {True: "copied", False: "rebuilt from SQLite on first open"}
    print(
        f"snapshot of {args.index} in {report.destination}: {report.articles} articles, {report.chunks} chunks, "
        f"{report.quotes} quotes (generation {report.generation}); vectors {copied[report.vectors_copied]}, "
        f"keywords {copied[report.keywords_copied]}; {report.seconds:.1f} s"
    )
    return 0


def _announce_wait(index: str) -> WaitCallback:
    """What a write tells the user before it waits for another process's: one line, then it proceeds."""

    def announce(holder: Holder) -> None:
        print(f"qa: waiting for {holder} to finish writing to {index}…", file=sys.stderr, flush=True)

    return announce


def _serve(args: argparse.Namespace) -> int:
    from qa.server import serve

    serve(
        args.index, host=args.host, port=args.port, auth_token=args.auth_token,
        max_upload_bytes=int(args.max_upload_mb * 1024 * 1024), allow_private_urls=args.allow_private_urls,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
