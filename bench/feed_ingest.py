"""Ingest from a feed against ingest from JSONL (issue 13): the same RealTimeQA articles, side by side.

The first N articles of ../shared/bench/realtimeqa/articles.jsonl are served by this script's own loopback
HTTP server as an RSS feed carrying each article whole (content:encoded, one <p> a paragraph), and, with
--summary, as a summary-only feed whose items link to one HTML page each (so every page is fetched and
extracted). Each round builds a fresh index from every source (JSONL file, feed, summary feed) with one
shared embedder, the order rotating from round to round so that drifting machine load hits each alike.
Reported: each source's times, its median, and its ratio to JSONL (the target: feed ≤ 1.2× JSONL).

    .venv/bin/python bench/feed_ingest.py --articles 100 --rounds 3 --summary
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH = ROOT.parent / "shared" / "bench" / "realtimeqa"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100, help="articles of the slice, from the start")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of whole ingests (0: reading alone)")
    parser.add_argument("--summary", action="store_true", help="also a summary-only feed, each item's page fetched")
    parser.add_argument("--data", type=Path, default=BENCH, help=f"the RealTimeQA folder (default {BENCH})")
    args = parser.parse_args()

    from qa.config import FetchConfig
    from qa.embed import load_embedder
    from qa.ingest import load_articles
    from qa.ingest.urls import load_urls

    print(f"# {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, {os.cpu_count()} CPUs, load {_load()}")
    print(f"# command: .venv/bin/python bench/feed_ingest.py {' '.join(sys.argv[1:])}")
    with open(args.data / "articles.jsonl", encoding="utf-8") as file:
        lines = list(itertools.islice(file, args.articles))
    records = [json.loads(line) for line in lines]
    embedder = load_embedder("all-MiniLM-L6-v2")
    embedder.embed_documents(["warm up"] * 8)
    work = Path(tempfile.mkdtemp(prefix="qa-feed-bench-"))
    try:
        jsonl = work / "slice.jsonl"
        jsonl.write_text("".join(lines), encoding="utf-8")  # a temporary copy, never in the repository
        with serving(records) as base:
            fetch = FetchConfig(allow_private=True)
            sources: dict[str, Callable[[], Iterable]] = {
                "jsonl": lambda: load_articles(jsonl),
                "feed": lambda: load_urls([f"{base}/feed.xml"], fetch),
            }
            if args.summary:
                sources["summary feed"] = lambda: load_urls([f"{base}/summary.xml"], fetch)
            reading = read_rounds(sources, max(args.rounds, 3))
            times, outcome = rounds(sources, embedder, work, args.rounds)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("\nreading alone (no index), seconds per round: " + "; ".join(
        f"{name} {' '.join(f'{s:.2f}' for s in seconds)} (median {statistics.median(seconds):.2f})"
        for name, seconds in reading.items()
    ))
    if args.rounds:
        report(times, outcome)
    print(f"\n# load after: {_load()}")


def report(times: dict[str, list[float]], outcome: dict[str, tuple[int, int]]) -> None:
    reference = statistics.median(times["jsonl"])
    print(f"\n{'source':<14} {'added':>5} {'chunks':>6}  {'seconds (each round)':<34} {'median':>7} {'vs jsonl':>8}")
    for name, seconds in times.items():
        added, chunks = outcome[name]
        median = statistics.median(seconds)
        each = " ".join(f"{s:.2f}" for s in seconds)
        print(f"{name:<14} {added:>5} {chunks:>6}  {each:<34} {median:>7.2f} {median / reference:>7.2f}×")
    for name, seconds in times.items():
        if name != "jsonl":  # the same round's ratio: both ran within a minute of each other
            pairs = [mine / theirs for mine, theirs in zip(seconds, times["jsonl"])]
            print(f"# {name} / jsonl, round by round: {' '.join(f'{r:.2f}' for r in pairs)}; median {statistics.median(pairs):.2f}")


def read_rounds(sources: dict, count: int) -> dict[str, list[float]]:
    """Seconds to read (fetch, parse, extract) each source's articles without indexing them: the part of
    an ingest where the sources differ, measured apart from the embedding that dominates the whole."""
    times: dict[str, list[float]] = {name: [] for name in sources}
    names = list(sources)
    for number in range(count):
        shift = number % len(names)
        for name in names[shift:] + names[:shift]:
            started = time.perf_counter()
            read = list(sources[name]())
            times[name].append(time.perf_counter() - started)
            assert len(read) == len(list(sources["jsonl"]())), name
    return times


def rounds(sources: dict, embedder, work: Path, count: int) -> tuple[dict[str, list[float]], dict[str, tuple[int, int]]]:
    from qa.index import Index

    times: dict[str, list[float]] = {name: [] for name in sources}
    outcome: dict[str, tuple[int, int]] = {}
    names = list(sources)
    for number in range(count):
        shift = number % len(names)
        for name in names[shift:] + names[:shift]:
            folder = work / f"index-{number}-{name.replace(' ', '-')}"
            with Index.open(folder, embedder=embedder, create=True) as index:
                started = time.perf_counter()
                report = index.add(sources[name]())
                times[name].append(time.perf_counter() - started)
            assert not report.failed, report.failed[:3]
            outcome[name] = (report.added, report.chunks)
            shutil.rmtree(folder)
    return times, outcome


class serving:
    """The slice as a whole-text feed (/feed.xml), a summary-only feed (/summary.xml) and one page per
    article (/a/N.html), from a threaded HTTP server on a free loopback port."""

    def __init__(self, records: list[dict]) -> None:
        self.records = records

    def __enter__(self) -> str:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self._documents()))
        self.server.daemon_threads = True
        self.server.handle_error = lambda request, address: None  # a client closing its keep-alive connection
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        return self.base

    def __exit__(self, *exc_info: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def _documents(self) -> dict[str, tuple[str, bytes]]:
        pages = {f"/a/{n}.html": ("text/html; charset=utf-8", _page(r).encode()) for n, r in enumerate(self.records)}
        whole = _rss([(n, r, _paragraphs(r["text"])) for n, r in enumerate(self.records)])
        summary = _rss([(n, r, None) for n, r in enumerate(self.records)])
        rss = "application/rss+xml; charset=utf-8"
        return {**pages, "/feed.xml": (rss, whole.encode()), "/summary.xml": (rss, summary.encode())}


def _handler(documents: dict[str, tuple[str, bytes]]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802
            content_type, body = documents.get(self.path, ("text/plain", b"not found"))
            self.send_response(200 if self.path in documents else 404)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{escape(part.strip())}</p>" for part in text.split("\n\n") if part.strip())


def _page(record: dict) -> str:
    title = escape(record.get("title") or "")
    return (
        f"<html><head><title>{title}</title></head><body><nav>Home | News</nav><article><h1>{title}</h1>"
        f"{_paragraphs(record['text'])}</article><footer>About us</footer></body></html>"
    )


def _rss(items: list[tuple[int, dict, str | None]]) -> str:
    rows = []
    for number, record, content in items:
        day = record.get("published")
        published = time.strftime("%a, %d %b %Y 12:00:00 GMT", time.strptime(day, "%Y-%m-%d")) if day else ""
        rows.append(
            f"<item><title>{escape(record.get('title') or '')}</title><link>/a/{number}.html</link>"
            f"<guid isPermaLink=\"false\">{escape(record['id'])}</guid>"
            + (f"<pubDate>{published}</pubDate>" if published else "")
            + f"<description>{escape(record['text'][:200])}</description>"
            + (f"<content:encoded><![CDATA[{content.replace(']]>', ']]]]><![CDATA[>')}]]></content:encoded>" if content else "")
            + "</item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>Bench Wire</title><link>/</link>{''.join(rows)}</channel></rss>"
    )


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


if __name__ == "__main__":
    main()
