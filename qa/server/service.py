"""IndexService: the one index a server shares between its users, behind the REST API and the chat."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Sequence

from qa import answer as answers
from qa.config import FetchConfig
from qa.errors import IndexBusyError
from qa.ingest.uploads import Upload, articles_from_records, read_upload
from qa.ingest.urls import load_urls
from qa.types import Article, Filters

if TYPE_CHECKING:
    from qa.index import Index
    from qa.answer.timeline import Timeline
    from qa.types import Answer, Hit, IngestError, IngestReport

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int], None]  # (articles done, articles in all)
# Seconds an upload or a delete waits for another process writing to the index (a `qa ingest`, say)
# before it is refused: long enough to outlast a small write, short enough for a person at the page.
WRITE_WAIT = 5.0


class IndexService:
    """The index a server shares between its users. Searches run concurrently (the store's
    readers-writer lock keeps each one consistent); writes go one at a time, because two ingests of
    the same article could otherwise both decide it is new. While another process writes to the index,
    a write waits ``write_wait`` seconds, then fails with IndexBusyError naming that process. Articles
    from web addresses are fetched as ``fetch`` says (public addresses only, by default)."""

    def __init__(self, index: Index, *, write_wait: float = WRITE_WAIT, fetch: FetchConfig = FetchConfig()) -> None:
        self.index = index
        self.write_wait = write_wait
        self.fetch = fetch
        self._writer = threading.Lock()

    def search(
        self, query: str, k: int, *, filters: Filters = Filters(), mode: str | None = None, all_copies: bool = False
    ) -> list[Hit]:
        return self.index.search(query, k, filters=filters, mode=mode, all_copies=all_copies)

    def ask(
        self, question: str, *, history: Sequence[tuple[str, str]], k: int, filters: Filters = Filters(),
        mode: str | None = None,
    ) -> Answer:
        return answers.ask(self.index, question, history=history, k=k, filters=filters, mode=mode)

    def ask_stream(
        self, question: str, *, history: Sequence[tuple[str, str]], k: int, filters: Filters = Filters(),
    ) -> Iterator[str | Answer]:
        """Pieces of the answer's text as they are written, then the Answer itself."""
        return answers.ask_stream(self.index, question, history=history, k=k, filters=filters)

    def article(self, article_id: str) -> Article | None:
        return self.index.article(article_id)

    def timeline(self, speaker: str, *, about: str = "", filters: Filters = Filters()) -> Timeline:
        return answers.speaker_timeline(self.index, speaker, about=about, filters=filters)

    def stats(self) -> dict[str, Any]:
        """What the index holds and how it was built, minus where it lives: the server's file layout is
        none of a client's business."""
        stats = self.index.stats()
        stats.pop("path", None)
        return stats

    def facts(self) -> dict[str, Any]:
        """What the page shows about the index."""
        stats = self.index.stats()
        return {name: stats[name] for name in ("articles", "chunks", "model")}

    def sources(self) -> list[str]:
        return self.index.sources()

    def add(self, items: Iterable[Article | IngestError], on_progress: ProgressCallback | None = None) -> IngestReport:
        read = list(items)  # all of it first, to tell progress "n of N"; uploads are size-limited
        total = sum(isinstance(item, Article) for item in read)
        done = 0

        def advance(count: int) -> None:
            nonlocal done
            done += count
            if on_progress:
                on_progress(done, total)

        with self._writer:
            return self.index.add(read, on_progress=advance, wait=self.write_wait)

    def add_files(self, uploads: Sequence[Upload], on_progress: ProgressCallback | None = None) -> IngestReport:
        return self.add((item for upload in uploads for item in read_upload(upload)), on_progress)

    def add_records(self, records: Sequence[Any], on_progress: ProgressCallback | None = None) -> IngestReport:
        """A JSON list's items: article objects, and web addresses (strings)."""
        return self.add(articles_from_records(records, self.fetch), on_progress)

    def add_urls(self, urls: Sequence[str], on_progress: ProgressCallback | None = None) -> IngestReport:
        """The articles at web addresses (pages, PDFs, feeds, sitemaps), all fetched before the write begins."""
        return self.add(load_urls(urls, self.fetch), on_progress)

    def delete(self, article_id: str) -> bool:
        with self._writer:
            return self.index.delete([article_id], wait=self.write_wait) > 0

    def backfill_quotes(self) -> int:
        """Extract and embed the quotes of an index stored without them (or by an older extractor): a write
        like any other, so it waits for the ingests under way and they for it. Reading quotes never extracts
        them, so a server runs this once as it starts. Returns how many articles were read (0: nothing to do)."""
        return self._backfill(self.index.quotes_pending, self.index.ensure_quotes, "quotes extracted from")

    def backfill_stories(self) -> int:
        """Group the stored articles of an index built before stories were grouped into stories, as
        backfill_quotes does for quotes (searches show every copy until then)."""
        return self._backfill(self.index.stories_pending, self.index.ensure_stories, "stories grouped from")

    def _backfill(self, pending: Callable[[], bool], ensure: Callable[..., int], done_what: str) -> int:
        if not pending():
            return 0
        try:
            with self._writer:
                done = ensure(wait=self.write_wait)
        except IndexBusyError as error:
            # The next write does it first (Index.add does), so the server need not wait here.
            log.warning("%s: not yet, %s", done_what, error)
            return 0
        log.info("%s %d stored articles", done_what, done)
        return done
