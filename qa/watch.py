"""`qa watch`: poll feeds and sitemaps, adding only the items that are new or changed.

What it has seen is kept in the index folder, in watch.json (written atomically): per address, the
listing's ETag and Last-Modified (a conditional request costs the site nothing when nothing changed),
and per item the version the listing gave it and the hash of the text stored. So a restart resumes
where the last poll ended, and an item already stored is neither fetched again nor re-embedded. A
failing address is logged in one line and polled less and less often until it answers again."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa.errors import QAError
from qa.ingest.urls import entry_article, kind_of, listed_entries
from qa.ingest.web import Fetcher, checked_url
from qa.store.files import write_json_atomically
from qa.types import IngestError, IngestReport, content_id

if TYPE_CHECKING:
    from qa.config import FetchConfig
    from qa.index import Index
    from qa.store.writelock import WaitCallback

STATE_FILE = "watch.json"
LONGEST_BACKOFF = 6 * 3600.0  # seconds: a feed down for days is still tried a few times a day
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def watch(
    index_path: str, urls: Sequence[str], *, every: str, once: bool, on_write_wait: WaitCallback | None = None
) -> None:
    """`qa watch`: poll ``urls`` into the index at ``index_path`` (made if missing) until interrupted, saying
    how each poll went on stdout. Like the rest of the command line it fetches from any address."""
    from qa.config import FetchConfig
    from qa.index import Index

    interval = parse_interval(every)
    with Index.open(index_path, create=True, on_write_wait=on_write_wait) as index:
        def say(line: str) -> None:
            print(f"qa watch: {line}", flush=True)

        Watcher(index, urls, every=interval, fetch=FetchConfig(allow_private=True), say=say).run(once=once)


def parse_interval(text: str) -> float:
    """Seconds in "90", "30s", "15m", "2h" or "1d"; QAError for anything else."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text.lower())
    if not match or float(match.group(1)) <= 0:
        raise QAError(f"--every: {text!r} is not an interval (e.g. 30s, 15m, 2h)")
    return float(match.group(1)) * _UNITS[match.group(2) or "s"]


@dataclass(frozen=True)
class Poll:
    """What one poll of one address did."""

    url: str
    added: int = 0
    replaced: int = 0
    unchanged: int = 0  # items the listing shows as seen before, or whose text is stored already
    failed: tuple[IngestError, ...] = ()
    not_modified: bool = False

    def __str__(self) -> str:
        if self.not_modified:
            return f"{self.url}: not modified"
        return (
            f"{self.url}: added {self.added}, replaced {self.replaced}, unchanged {self.unchanged}, "
            f"failed {len(self.failed)}"
        )


class Watcher:
    """Polls ``urls`` into ``index`` every ``every`` seconds; ``say`` gets one line per poll or failure."""

    def __init__(
        self, index: Index, urls: Sequence[str], *, every: float, fetch: FetchConfig, say: Callable[[str], None]
    ) -> None:
        self.index = index
        self.urls = [checked_url(url) for url in urls]
        self.every = every
        self.fetch = fetch
        self.say = say
        self.state_path = Path(index.store.folder) / STATE_FILE
        self.state = _read_state(self.state_path)

    def run(self, *, once: bool = False, stop: threading.Event | None = None) -> None:
        """Poll each address when it is due, until ``stop`` is set (or after one round, with ``once``)."""
        stop = stop or threading.Event()
        due = dict.fromkeys(self.urls, 0.0)
        with Fetcher(self.fetch) as fetcher:
            while not stop.is_set():
                for url in self.urls:
                    if due[url] <= time.monotonic() and not stop.is_set():
                        due[url] = time.monotonic() + self._poll_logged(fetcher, url)
                if once:
                    return
                stop.wait(max(0.0, min(due.values()) - time.monotonic()))

    def _poll_logged(self, fetcher: Fetcher, url: str) -> float:
        """Poll ``url``, say how it went, and return the seconds until its next poll."""
        source = self._source(url)
        try:
            done = self.poll(fetcher, url)
        except QAError as error:
            source["failures"] = source.get("failures", 0) + 1
            self._save()
            wait = min(self.every * 2 ** (source["failures"] - 1), max(self.every, LONGEST_BACKOFF))
            self.say(f"{url}: {error}; next try in {_duration(wait)}")
            return wait
        for problem in done.failed:
            self.say(f"skipped {problem}")
        self.say(str(done))
        return self.every

    def poll(self, fetcher: Fetcher, url: str) -> Poll:
        """One poll of one address: its new and changed items added, then what was seen saved."""
        source = self._source(url)
        response = fetcher.get(url, etag=source.get("etag", ""), last_modified=source.get("last_modified", ""))
        if response.not_modified:
            source["failures"] = 0
            self._save()
            return Poll(url, not_modified=True)
        if kind_of(response) in ("page", "pdf"):
            raise QAError("not a feed or a sitemap (add a single article with qa ingest)")
        entries, failed = listed_entries(fetcher, response)
        seen: dict[str, Any] = source.get("items", {})
        items = {entry.key: seen[entry.key] for entry in entries if entry.key in seen}
        fresh, unchanged = [], 0
        for entry in entries:
            known = items.get(entry.key, {})
            if entry.version and known.get("version") == entry.version:
                unchanged += 1
                continue
            found = entry_article(fetcher, entry)
            if isinstance(found, IngestError):
                failed.append(found)
            elif known.get("hash") == content_id(found.text):
                unchanged += 1
                items[entry.key] = {**known, "version": entry.version}
            else:
                fresh.append((entry, found))
        report = self.index.add([article for _, article in fresh]) if fresh else IngestReport()
        rejected = {error.origin for error in report.failed}
        for entry, article in fresh:
            if article.origin not in rejected:
                items[entry.key] = {"version": entry.version, "hash": content_id(article.text)}
        failed += list(report.failed)
        # The listing's validators are kept only when every item made it in: else the next poll must
        # read the listing again to retry the ones that failed.
        validators = {"etag": response.etag, "last_modified": response.last_modified} if not failed else {}
        self.state["sources"][url] = {"items": items, "failures": 0, **validators}
        self._save()
        return Poll(
            url, added=report.added, replaced=report.replaced, unchanged=unchanged + report.skipped,
            failed=tuple(failed),
        )

    def _source(self, url: str) -> dict[str, Any]:
        return self.state["sources"].setdefault(url, {})

    def _save(self) -> None:
        write_json_atomically(self.state_path, self.state)


def _read_state(path: Path) -> dict[str, Any]:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"version": 1, "sources": {}}
    except (OSError, ValueError) as error:
        raise QAError(f"{path}: cannot read what qa watch has seen ({error}); move the file away to start afresh") from None
    if not isinstance(state, dict) or not isinstance(state.get("sources"), dict):
        raise QAError(f"{path}: not a qa watch state file; move it away to start afresh")
    return state


def _duration(seconds: float) -> str:
    for unit, size in (("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:g} {unit}"
    return f"{seconds:g} s"
