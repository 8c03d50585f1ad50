"""qa watch against a real loopback site: new items appear, unchanged ones are neither fetched again nor
re-embedded, a restart resumes from what the index folder remembers, a failing feed backs off, and
Ctrl-C (SIGINT) stops a real `qa watch` process cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from feed_files import page, rss, sitemap
from web_site import Reply, web_site

from qa.config import FetchConfig
from qa.errors import QAError
from qa.index import Index
from qa.ingest.web import Fetcher
from qa.types import Filters
from qa.watch import STATE_FILE, Watcher, parse_interval

OPEN = FetchConfig(allow_private=True, timeout=5)
RSS = "application/rss+xml"
ROOT = Path(__file__).resolve().parent.parent


def story(n: int, text: str = "") -> str:
    return page(f"Harbour story number {n}", [text or f"Story {n}: the harbour board met on day {n}.", "Work goes on."])


def item(site, n: int) -> dict:
    return {"title": f"Story {n}", "link": site.url(f"/s/{n}.html"), "guid": f"s{n}"}


def with_etag(body: str, etag: str):
    def reply(headers):
        if headers.get("if-none-match") == etag:
            return Reply(status=304, headers={"ETag": etag})
        return Reply(body.encode(), content_type=RSS, headers={"ETag": etag})
    return reply


def chunk_ids(index: Index) -> set[int]:
    with index.store.view() as view:
        return {int(chunk_id) for chunk_id in view.chunk_ids_matching(Filters())}


def poll(index: Index, *urls: str, lines: list[str] | None = None) -> list:
    said = [] if lines is None else lines
    watcher = Watcher(index, urls, every=60, fetch=OPEN, say=said.append)
    with Fetcher(OPEN) as fetcher:
        return [watcher.poll(fetcher, url) for url in watcher.urls]


def test_new_and_changed_items_are_added_and_unchanged_ones_left_alone(tmp_path, tiny_model_path):
    with web_site() as site, Index.open(tmp_path / "ix", model=str(tiny_model_path), create=True) as index:
        for n in (1, 2):
            site.put(f"/s/{n}.html", story(n))
        site.routes["/feed.xml"] = with_etag(rss([item(site, 1), item(site, 2)]), '"v1"')
        feed = site.url("/feed.xml")
        [first] = poll(index, feed)
        assert (first.added, first.unchanged, first.failed) == (2, 0, ())
        before = chunk_ids(index)

        [again] = poll(index, feed)  # the listing has not changed: a conditional request, and nothing else
        assert again.not_modified
        assert site.requests[-1][1]["if-none-match"] == '"v1"'

        site.put("/s/3.html", story(3))
        site.put("/s/2.html", story(2, "Story 2, updated: the board changed its mind."))
        updated = [item(site, 1), {**item(site, 2), "title": "Story 2 (updated)"}, item(site, 3)]
        site.routes["/feed.xml"] = with_etag(rss(updated), '"v2"')
        [second] = poll(index, feed)
        assert (second.added, second.replaced, second.unchanged) == (1, 1, 1)
        assert site.asked("/s/1.html") == 1  # an item the listing shows unchanged is not fetched again
        assert index.article("s2").title == "Story 2 (updated)"
        kept = before & chunk_ids(index)
        with index.store.view() as view:
            assert {hit.article_id for hit in view.hits([(chunk_id, 0.0) for chunk_id in kept])} == {"s1"}


def test_a_restart_resumes_from_what_the_index_remembers(tmp_path, tiny_model_path):
    folder = tmp_path / "ix"
    with web_site() as site:
        for n in (1, 2):
            site.put(f"/s/{n}.html", story(n))
        map_url = site.put("/sitemap.xml", sitemap([site.url("/s/1.html"), site.url("/s/2.html")], lastmod="2022-01-03"), content_type="application/xml")
        with Index.open(folder, model=str(tiny_model_path), create=True) as index:
            assert poll(index, map_url)[0].added == 2
        state = json.loads((folder / STATE_FILE).read_text())
        assert set(state["sources"][map_url]["items"]) == {site.url("/s/1.html"), site.url("/s/2.html")}
        with Index.open(folder) as index:  # a new process, as far as the index is concerned
            [resumed] = poll(index, map_url)
        assert (resumed.added, resumed.unchanged) == (0, 2)
        assert site.asked("/s/1.html") == 1 and site.asked("/s/2.html") == 1


def test_a_failing_feed_is_one_line_and_backs_off_while_others_are_polled(tmp_path, tiny_model_path):
    lines: list[str] = []
    with web_site() as site, Index.open(tmp_path / "ix", model=str(tiny_model_path), create=True) as index:
        site.put("/s/1.html", story(1))
        good = site.put("/good.xml", rss([item(site, 1)]), content_type=RSS)
        bad = site.put("/bad.xml", "down", status=503, content_type="text/plain")
        watcher = Watcher(index, [bad, good], every=60, fetch=OPEN, say=lines.append)
        watcher.run(once=True)
        assert lines == [
            f"{bad}: HTTP 503 Service Unavailable; next try in 1 min",
            f"{good}: added 1, replaced 0, unchanged 0, failed 0",
        ]
        watcher.run(once=True)
        assert lines[2] == f"{bad}: HTTP 503 Service Unavailable; next try in 2 min"
        state = json.loads((tmp_path / "ix" / STATE_FILE).read_text())
        assert state["sources"][bad]["failures"] == 2


def test_intervals():
    assert [parse_interval(text) for text in ("90", "30s", "15m", "2h", "1d", "0.5m")] == [90, 30, 900, 7200, 86400, 30]
    for bad in ("", "soon", "-5m", "0", "5 weeks"):
        with pytest.raises(QAError, match="--every"):
            parse_interval(bad)


def test_ctrl_c_stops_a_running_watch_cleanly_and_a_restart_resumes(tmp_path, tiny_model_path):
    folder = tmp_path / "ix"
    Index.open(folder, model=str(tiny_model_path), create=True).close()  # qa watch makes a new index with the default model
    # `qa` as a terminal starts it: a process started in the background by a script inherits SIGINT
    # ignored (POSIX), and then Python installs no KeyboardInterrupt handler at all (a CI run started with
    # `&` did so, and this test's SIGINT went unheard).
    command = [sys.executable, "-c", "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
               "from qa.cli import main; sys.exit(main(sys.argv[1:]))", "watch", "--index", str(folder)]
    # faulthandler: a watch that does not stop is sent SIGABRT, and its threads' stacks land in the failure
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONFAULTHANDLER": "1"}
    with web_site() as site:
        for n in (1, 2):
            site.put(f"/s/{n}.html", story(n))
        site.routes["/feed.xml"] = with_etag(rss([item(site, 1), item(site, 2)]), '"v1"')
        feed = site.url("/feed.xml")
        watch = subprocess.Popen([*command, feed, "--every", "1s"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        try:
            first = _line_with(watch, "added", seconds=180)
            assert first == f"qa watch: {feed}: added 2, replaced 0, unchanged 0, failed 0"
            assert _line_with(watch, "not modified", seconds=30) == f"qa watch: {feed}: not modified"
            watch.send_signal(signal.SIGINT)
            try:
                code = watch.wait(timeout=60)
            except subprocess.TimeoutExpired:
                watch.send_signal(signal.SIGABRT)
                watch.wait(timeout=30)
                raise AssertionError(f"qa watch did not stop on SIGINT within 60 s:\n{watch.stderr.read()}") from None
            assert code == 130  # the shell's code for "ended by SIGINT"
        finally:
            if watch.poll() is None:
                watch.kill()
                watch.wait()
        stderr = watch.stderr.read()
        assert "qa: interrupted (batches already committed are kept)" in stderr and "Traceback" not in stderr
        again = subprocess.run([*command, feed, "--once"], capture_output=True, text=True, env=env, timeout=180)
        assert again.returncode == 0, again.stderr
        assert again.stdout.strip() == f"qa watch: {feed}: not modified"
    with Index.open(folder) as index:
        assert index.stats()["articles"] == 2


def _line_with(process: subprocess.Popen, word: str, *, seconds: float) -> str:
    """The next line of the process's output holding ``word``, waiting at most ``seconds``."""
    import selectors

    ends = time.monotonic() + seconds
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.monotonic() < ends:
            if selector.select(timeout=max(0.0, ends - time.monotonic())):
                line = process.stdout.readline()
                if not line:
                    raise AssertionError(f"qa watch ended: {process.stderr.read()}")
                if word in line:
                    return line.strip()
    raise AssertionError(f"no line with {word!r} within {seconds} s")
