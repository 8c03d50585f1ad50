"""The ingest pipeline, and the quote backfill of older indexes.

add_articles: articles in batches of about ``commit_chunks`` passages → duplicates dropped (same id and
text) → passages and the text embedded for each → vectors → quotes
→ one commit per batch, so an interruption loses at most the batch in flight and running the same
input again resumes where it stopped. Index calls these under its writer lock. The steps (batches,
Planner, prepare, commit) are shared with qa.indexing_ray, which runs prepare on a Ray cluster.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Sequence

from qa.chunk import chunk_article
from qa.quotes import EXTRACTOR_VERSION, read_quotes
from qa.store import NewArticle, stories
from qa.types import Article, Chunk, FoundQuotes, IngestError, IngestReport, lone_surrogate, text_fingerprint

if TYPE_CHECKING:
    import numpy as np

    from qa.embed import Embedder
    from qa.store import Chunking
    from qa.store.protocol import StoreBackend

ProgressCallback = Callable[[int], None]

# State keys of the quote bookkeeping: the extractor version all stored quotes come from, and the
# progress (extractor version, last article rowid) of a backfill that may have been interrupted.
QUOTES_VERSION = "quotes_version"
QUOTES_BACKFILL_VERSION = "quotes_backfill_version"
QUOTES_BACKFILL_ROWID = "quotes_backfill_rowid"
QUOTES_BACKFILL_BATCH = 200  # articles per committed step
QUOTES_BACKFILL_EMBED_BATCH = 64

# The same for the story grouping (qa/store/stories.py).
STORIES_VERSION = "stories_version"
STORIES_BACKFILL_VERSION = "stories_backfill_version"
STORIES_BACKFILL_ROWID = "stories_backfill_rowid"

# chunk_tokens value for one chunk per article, of which the model reads only the first max_tokens:
# the setup of the BEIR benchmarks, whose published scores embed each document whole.
WHOLE_ARTICLE = 0
SPECIAL_TOKENS = 2  # [CLS] and [SEP], which the model's token limit includes


def add_articles(
    store: StoreBackend, embedder: Embedder, items: Iterable[Article | IngestError], *, embed_batch: int, commit_chunks: int,
    on_progress: ProgressCallback | None = None,
) -> IngestReport:
    """Add articles to the store, skipping ones already in and replacing ones whose text changed;
    ``embed_batch`` texts go through the model at once, ``commit_chunks`` chunks are committed at once."""
    started = time.perf_counter()
    tally = Tally()
    planner = Planner(store, tally)
    try:
        for batch in batches(items, tally, commit_chunks):
            fresh = planner.fresh(batch)
            commit(store, prepare(fresh, chunking=store.manifest.chunking, embedder=embedder, embed_batch=embed_batch),
                   tally)
            planner.committed(fresh)
            if on_progress:
                on_progress(len(batch))
    finally:
        store.save()
    return tally.report(time.perf_counter() - started)


def delete_articles(store: StoreBackend, article_ids: Sequence[str]) -> int:
    """Remove articles and their vectors; returns how many were stored."""
    known = store.known_hashes(article_ids)
    if known:
        store.commit([], list(known))
        store.save()
    return len(known)


def passages(article: Article, *, chunking: Chunking, embedder: Embedder) -> tuple[list[Chunk], list[str]]:
    """The article's chunks, and the text embedded for each: the (shortened) headline, then the chunk."""
    title = _short_title(article.title, chunking.title_tokens, embedder)
    if chunking.chunk_tokens == WHOLE_ARTICLE:
        chunks = _whole_article_chunk(article)
    else:
        title_cost = embedder.count_tokens([title])[0] + 1 if title else 0
        budget = min(chunking.chunk_tokens, embedder.max_tokens - SPECIAL_TOKENS) - title_cost
        chunks = chunk_article(
            article, count_tokens=embedder.count_tokens, max_tokens=budget,
            overlap_tokens=min(chunking.overlap_tokens, budget // 2),
        )
    return chunks, [f"{title}\n{chunk.text}" if title else chunk.text for chunk in chunks]


def quotes_pending(store: StoreBackend) -> bool:
    """Whether stored articles lack quotes of the current extractor (an index built before quotes were
    indexed, or by an older extractor)."""
    return store.state(QUOTES_VERSION) != EXTRACTOR_VERSION


def mark_quotes_current(store: StoreBackend) -> None:
    """For a new, empty index: every article it will hold gets its quotes at ingest."""
    store.replace_quotes([], {QUOTES_VERSION: EXTRACTOR_VERSION})


def backfill_quotes(store: StoreBackend, embedder: Embedder, *, on_progress: ProgressCallback | None = None) -> int:
    """Extract and embed the quotes of articles stored without current ones, without re-embedding their
    passages. Commits per batch, so an interrupted run resumes where it stopped. Returns how many articles
    were read: 0 when the quotes are current."""
    if not quotes_pending(store):
        return 0
    resuming = store.state(QUOTES_BACKFILL_VERSION) == EXTRACTOR_VERSION
    rowid = (store.state(QUOTES_BACKFILL_ROWID) or 0) if resuming else 0
    done = 0
    while rows := store.articles_after(rowid, QUOTES_BACKFILL_BATCH):
        rowid = rows[-1][0]
        articles = [article for _, _, article in rows]
        found = [read_quotes(article) for article in articles]
        vectors = quote_vectors(articles, found, embedder, [], embed_batch=QUOTES_BACKFILL_EMBED_BATCH)[1]
        store.replace_quotes(
            [(article.id, text_hash, quotes, article_vectors)
             for (_, text_hash, article), quotes, article_vectors in zip(rows, found, vectors)],
            {QUOTES_BACKFILL_VERSION: EXTRACTOR_VERSION, QUOTES_BACKFILL_ROWID: rowid},
        )
        done += len(rows)
        if on_progress:
            on_progress(len(rows))
    mark_quotes_current(store)
    return done


def quote_vectors(
    articles: Sequence[Article], found: Sequence[FoundQuotes], embedder: Embedder, texts: list[str], *,
    embed_batch: int,
) -> tuple[np.ndarray, list[list[np.ndarray | None]]]:
    """Embed ``texts`` together with the framing of every attributed quotation of ``articles`` (one model
    pass, so short framings share batches with passages). Returns the vectors of ``texts``, and each
    article's quote vectors, None for an unattributed quote (no speaker to find it by)."""
    framed = [
        [article.text[start:end] if quote.speaker else None for quote, (start, end) in zip(q.quotes, q.frames)]
        for article, q in zip(articles, found)
    ]
    extra = [text for article_framed in framed for text in article_framed if text is not None]
    vectors = embedder.embed_documents(texts + extra, batch_size=embed_batch)
    row = len(texts)
    per_article: list[list[np.ndarray | None]] = []
    for article_framed in framed:
        article_vectors: list[np.ndarray | None] = []
        for text in article_framed:
            article_vectors.append(None if text is None else vectors[row])
            row += text is not None
        per_article.append(article_vectors)
    return vectors[: len(texts)], per_article


def stories_pending(store: StoreBackend) -> bool:
    """Whether stored articles are not grouped into stories by the current parameters (an index built
    before stories were grouped, or with other parameters)."""
    return store.state(STORIES_VERSION) != stories.VERSION


def mark_stories_current(store: StoreBackend) -> None:
    """For a new, empty index: every article it will hold is grouped at ingest."""
    store.add_story_signatures([], {STORIES_VERSION: stories.VERSION})


def backfill_stories(store: StoreBackend, *, on_progress: ProgressCallback | None = None) -> int:
    """Group the stored articles into stories without re-embedding anything, in storage order (as if
    ingested again). Commits per batch, so an interrupted run resumes where it stopped. Returns how many
    articles were read: 0 when the grouping is current."""
    if not stories_pending(store):
        return 0
    resuming = store.state(STORIES_BACKFILL_VERSION) == stories.VERSION
    rowid = (store.state(STORIES_BACKFILL_ROWID) or 0) if resuming else 0
    restart, done = not resuming, 0
    while rows := store.articles_after(rowid, QUOTES_BACKFILL_BATCH):
        rowid = rows[-1][0]
        found = [(article.id, text_hash, stories.signature(article.text)) for _, text_hash, article in rows]
        progress = {STORIES_BACKFILL_VERSION: stories.VERSION, STORIES_BACKFILL_ROWID: rowid}
        store.add_story_signatures(found, progress, restart=restart)
        restart, done = False, done + len(rows)
        if on_progress:
            on_progress(len(rows))
    store.add_story_signatures([], {STORIES_VERSION: stories.VERSION}, restart=restart)
    return done


class Planner:
    """Which articles of each batch to embed: those not stored (or stored with another text), judged
    against the store and against the batches handed out before but not committed yet, so that a
    pipeline that embeds several batches at once decides exactly as one that commits each in turn."""

    def __init__(self, store: StoreBackend, tally: Tally) -> None:
        self.store, self.tally = store, tally
        self._pending: dict[str, str] = {}  # article id -> text hash it will be stored with

    def fresh(self, batch: list[Article]) -> list[Article]:
        stored_hashes = self.store.known_hashes([a.id for a in batch])
        stored_hashes.update({a.id: self._pending[a.id] for a in batch if a.id in self._pending})
        fresh: list[Article] = []
        for article in batch:
            fingerprint = text_fingerprint(article.text)
            # The same text under another id is another outlet's copy of a story: stored as an article of its
            # own, which the story grouping links to the others (qa/store/stories.py), so a search shows the
            # story once with the copy in also_in, and deleting either leaves the other whole.
            if stored_hashes.get(article.id) == fingerprint:
                self.tally.skipped += 1
                continue
            self.tally.replaced += article.id in stored_hashes
            self.tally.added += article.id not in stored_hashes
            stored_hashes[article.id] = self._pending[article.id] = fingerprint
            fresh.append(article)
        return fresh

    def committed(self, articles: list[Article]) -> None:
        """Forget what the store now holds itself."""
        for article in articles:
            self._pending.pop(article.id, None)


def prepare(
    articles: Sequence[Article], *, chunking: Chunking, embedder: Embedder, embed_batch: int
) -> list[NewArticle]:
    """Everything the store keeps of each article: its passages and their vectors, its quotes and their
    vectors (embedded in the same pass), its story signature. Reads no store, so it can run anywhere."""
    if articles:
        stories.preload()  # imported while the model embeds, ready for the signatures below
    cut = [passages(article, chunking=chunking, embedder=embedder) for article in articles]
    found = [read_quotes(article) for article in articles]
    texts = [text for _, embedded in cut for text in embedded]
    vectors, found_vectors = quote_vectors(articles, found, embedder, texts, embed_batch=embed_batch)
    new, row = [], 0
    for article, (chunks, _), quotes, article_quote_vectors in zip(articles, cut, found, found_vectors):
        new.append(NewArticle(
            article, text_fingerprint(article.text), chunks, vectors[row : row + len(chunks)], quotes,
            article_quote_vectors, stories.signature(article.text),
        ))
        row += len(chunks)
    return new


def commit(store: StoreBackend, new: Sequence[NewArticle], tally: Tally) -> None:
    if new:
        store.commit(new)
        tally.chunks += sum(len(item.chunks) for item in new)


def _short_title(title: str, limit: int, embedder: Embedder) -> str:
    """The headline, cut at a word boundary to ``limit`` model tokens."""
    words = title.split()
    while words and embedder.count_tokens([" ".join(words)])[0] > limit:
        words = words[: max(1, len(words) * 3 // 4)] if len(words) > 1 else []
    return " ".join(words)


@dataclass
class Tally:
    added: int = 0
    replaced: int = 0
    skipped: int = 0
    chunks: int = 0
    failed: list[IngestError] = field(default_factory=list)

    def report(self, seconds: float) -> IngestReport:
        return IngestReport(
            added=self.added, replaced=self.replaced, skipped=self.skipped, chunks=self.chunks,
            seconds=seconds, failed=tuple(self.failed),
        )


def batches(items: Iterable[Article | IngestError], tally: Tally, chunk_budget: int) -> Iterator[list[Article]]:
    """Group articles so each batch holds about ``chunk_budget`` chunks (estimated from length);
    an article whose id came earlier in the same batch is counted and dropped."""
    batch: list[Article] = []
    seen: set[str] = set()
    estimated_chunks = 0.0
    for item in items:
        if isinstance(item, IngestError):
            tally.failed.append(item)
            continue
        problem = _unstorable(item.text)
        if problem:
            tally.failed.append(IngestError(item.origin or item.id, problem))
            continue
        if item.id in seen:
            tally.skipped += 1
            continue
        seen.add(item.id)
        batch.append(item)
        estimated_chunks += 1 + len(item.text) / 1000  # ~1,000 characters a chunk
        if estimated_chunks >= chunk_budget:
            yield batch
            batch, seen, estimated_chunks = [], set(), 0.0
    if batch:
        yield batch


def _unstorable(text: str) -> str | None:
    """Why the index cannot hold ``text`` exactly, if it cannot. SQLite's substr, which reads stored
    passages and quotes back, stops at a NUL: they would come back cut short. A lone surrogate (a JSON
    body can spell one) has no UTF-8 form at all."""
    if "\0" in text:
        return f"text contains a NUL character (at character {text.index(chr(0))})"
    position = lone_surrogate(text)
    return None if position is None else f"text contains a lone surrogate (at character {position})"


def _whole_article_chunk(article: Article) -> list[Chunk]:
    start = len(article.text) - len(article.text.lstrip())
    end = len(article.text.rstrip())
    if start >= end:
        return []
    return [Chunk(article_id=article.id, ordinal=0, start=start, end=end, text=article.text[start:end])]
