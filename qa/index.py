"""Index: add, replace, delete and search articles over a Store and an Embedder."""

from __future__ import annotations

import hashlib
import time
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np

from qa import rank
from qa.chunk import chunk_article
from qa.config import DEFAULT_INDEX, Settings
from qa.embed import CrossEncoderReranker, Embedder
from qa.embed.batching import QueryBatcher
from qa.errors import QAError
from qa.quotes import EXTRACTOR_VERSION, find_quotes
from qa.quotes.speakers import name_search_words, speaker_matches
from qa.store import Chunking, Filters, NewArticle, Store
from qa.types import Answer, Article, Chunk, Hit, IngestError, IngestReport, Quote

ProgressCallback = Callable[[int], None]

# State keys of the quote bookkeeping: the extractor version all stored quotes come from, and the
# progress (extractor version, last article rowid) of a backfill that may have been interrupted.
QUOTES_VERSION = "quotes_version"
QUOTES_BACKFILL_VERSION = "quotes_backfill_version"
QUOTES_BACKFILL_ROWID = "quotes_backfill_rowid"
QUOTES_BACKFILL_BATCH = 200  # articles per committed step

# chunk_tokens value for one chunk per article, of which the model reads only the first max_tokens:
# the setup of the BEIR benchmarks, whose published scores embed each document whole.
WHOLE_ARTICLE = 0


def text_fingerprint(text: str) -> str:
    """Identity of an article's text for duplicate detection: case, Unicode form and spacing ignored.

    Looser than ingest's content_id on purpose: a re-scraped copy differing only in case is the same
    story (skipped), while ids, which users see and quote, stay exact to the text they were made from."""
    normalised = " ".join(unicodedata.normalize("NFC", text).casefold().split())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def load_embedder(name: str, backend: str) -> Embedder:
    from qa.embed import load_embedder as load

    return load(name, backend)


class Index:
    """A searchable collection of articles in one folder on disk.

    The embedding model is loaded on first use, so opening an index to inspect or delete is fast."""

    def __init__(self, store: Store, embedder: Embedder | None, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.ranking = rank.RankSettings()
        self.reranker: rank.Reranker | None = (
            CrossEncoderReranker(settings.reranker) if settings.reranker else None
        )
        self._embedder = embedder
        self._queries = QueryBatcher(lambda texts: self.embedder.embed_queries(texts))

    # -- opening -------------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: str | Path = DEFAULT_INDEX,
        *,
        model: str | None = None,
        embedder: Embedder | None = None,
        settings: Settings | None = None,
        create: bool = False,
    ) -> "Index":
        """Open the index at ``path``; with ``create=True`` make a new one there if there is none.

        ``model`` (or ``settings.model``, or ``embedder``) picks the sentence-transformers model of a new
        index; for an existing one it must be the model the index was built with. Without ``embedder``
        the model is loaded on first use."""
        settings = settings or Settings.from_env(model=model)
        if Store.exists(path) or not create:
            store = Store.open(path)
            built_with = store.manifest.model
            wanted = model or (embedder.name if embedder else None)
            if wanted and wanted != built_with:
                raise QAError(
                    f"{path}: index was built with model {built_with!r}, not {wanted!r}; "
                    "use that model, or build a new index in another folder"
                )
            if embedder:
                _check_vectors_mix(store, embedder)
            return cls(store, embedder, _settings_of(store, settings))
        from qa.embed import DEFAULT_BACKEND, backend_of, vector_space_of

        embedder = embedder or load_embedder(settings.model, settings.backend or DEFAULT_BACKEND)
        chunking = Chunking(settings.chunk_tokens, settings.overlap_tokens, settings.title_tokens)
        store = Store.create(
            path, model=embedder.name, dimension=embedder.dimension, chunking=chunking,
            embedding_backend=backend_of(embedder), vector_space=vector_space_of(embedder),
        )
        store.replace_quotes([], {QUOTES_VERSION: EXTRACTOR_VERSION})  # every article will get quotes at ingest
        return cls(store, embedder, settings)

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = self._load_embedder()
        return self._embedder

    def _load_embedder(self) -> Embedder:
        """The settings' backend; by default the default backend if its vectors mix with the index's
        (so a query need not load torch), else the backend the index was built with."""
        from qa.embed import DEFAULT_BACKEND, vector_space_of

        manifest = self.store.manifest
        loaded = load_embedder(manifest.model, self.settings.backend or DEFAULT_BACKEND)
        if vector_space_of(loaded) != manifest.vector_space and not self.settings.backend:
            loaded = load_embedder(manifest.model, manifest.embedding_backend)
        _check_vectors_mix(self.store, loaded)
        return loaded

    def close(self) -> None:
        self._queries.close()
        self.store.close()

    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading -------------------------------------------------------------------------------

    def search(
        self,
        query: str,
        k: int = 5,
        *,
        source: str | None = None,
        since: str | date | None = None,
        until: str | date | None = None,
        mode: str = rank.DEFAULT_MODE,
        as_of: str | date | None = None,
        per_article: bool = True,
    ) -> list[Hit]:
        """The k passages most relevant to ``query``, best first, optionally filtered by outlet and date.

        ``mode`` is "hybrid" (keyword and vector search fused, the default), "dense" or "bm25". ``as_of``
        answers as on that date: nothing published after it, and recent articles preferred. With
        ``per_article`` (the default) the k passages come from k distinct articles, each its best one."""
        request = rank.SearchRequest(
            query=_check_query(query),
            k=_check_k(k),
            filters=Filters(
                source=source or None, since=_iso_date(since, "since"), until=_iso_date(until, "until"),
                as_of=_iso_date(as_of, "as_of"),
            ),
            mode=rank.check_mode(mode),
            settings=replace(self.ranking, per_article=per_article),
            reranker=self.reranker,
        )
        return rank.search(self.store, self._queries.submit, request)

    def _embed_query(self, query: str) -> np.ndarray:
        return self._queries.submit(query).result()

    def article(self, article_id: str) -> Article | None:
        return self.store.article(article_id)

    def sources(self) -> list[str]:
        """The outlets of the stored articles, alphabetically, for filter menus."""
        return self.store.sources()

    def quotes(
        self,
        speaker: str | None = None,
        *,
        article_ids: Sequence[str] | None = None,
        source: str | None = None,
        since: str | date | None = None,
        until: str | date | None = None,
    ) -> list[Quote]:
        """Direct quotations found at ingest, by article then position, each with its exact span and
        resolved speaker. ``speaker`` is a name or role as a user writes it ("Blinken", "the secretary of
        state"): only quotes that speaker_matches keeps. Extracts quotes first if the index lacks them."""
        self.ensure_quotes()
        filters = Filters(source=source or None, since=_iso_date(since, "since"), until=_iso_date(until, "until"))
        words = name_search_words(speaker or "")
        if speaker is not None and not words:
            return []
        found = self.store.quotes(article_ids=article_ids, name_words=words, filters=filters)
        return [quote for quote in found if speaker is None or speaker_matches(speaker, quote)]

    def ensure_quotes(self, *, on_progress: ProgressCallback | None = None) -> int:
        """Extract the quotes of articles stored without them (an index built before quotes were indexed) or
        by an older extractor, without re-embedding anything. Commits per batch, so an interrupted run
        resumes where it stopped. Returns how many articles were read: 0 when the quotes are current."""
        if self.store.state(QUOTES_VERSION) == EXTRACTOR_VERSION:
            return 0
        resuming = self.store.state(QUOTES_BACKFILL_VERSION) == EXTRACTOR_VERSION
        rowid = (self.store.state(QUOTES_BACKFILL_ROWID) or 0) if resuming else 0
        done = 0
        while rows := self.store.articles_after(rowid, QUOTES_BACKFILL_BATCH):
            rowid = rows[-1][0]
            found = [(article.id, text_hash, find_quotes(article)) for _, text_hash, article in rows]
            progress = {QUOTES_BACKFILL_VERSION: EXTRACTOR_VERSION, QUOTES_BACKFILL_ROWID: rowid}
            self.store.replace_quotes(found, progress)
            done += len(rows)
            if on_progress:
                on_progress(len(rows))
        self.store.replace_quotes([], {QUOTES_VERSION: EXTRACTOR_VERSION})
        return done

    def quotes_pending(self) -> bool:
        """Whether the next quotes() call will first extract quotes from stored articles (slow once)."""
        return self.store.state(QUOTES_VERSION) != EXTRACTOR_VERSION

    def ask(self, question: str, **options) -> Answer:
        """A short answer with verified citations: qa.answer.ask(self, question, **options)."""
        from qa.answer import ask  # qa.answer builds on this module

        return ask(self, question, **options)

    def stats(self) -> dict:
        manifest = self.store.manifest
        return {
            "path": str(self.store.folder),
            "model": manifest.model,
            "dimension": manifest.dimension,
            "vector_index": manifest.vector_index,
            "embedding_backend": manifest.embedding_backend,
            "chunking": vars(manifest.chunking),
            "created": manifest.created,
            "updated": manifest.updated,
            **self.store.counts(),
        }

    # -- writing -------------------------------------------------------------------------------

    def add(
        self, items: Iterable[Article | IngestError], *, on_progress: ProgressCallback | None = None
    ) -> IngestReport:
        """Add articles, skipping ones already in (same id and text, or same text under another id) and
        replacing ones whose text changed. Commits every few hundred chunks, so an interruption loses at
        most the batch in flight and running the same input again resumes where it stopped."""
        started = time.perf_counter()
        tally = _Tally()
        try:
            for batch in _batches(items, tally, self.settings.commit_chunks):
                self._add_batch(batch, tally)
                if on_progress:
                    on_progress(len(batch))
        finally:
            self.store.save()
        return tally.report(time.perf_counter() - started)

    def delete(self, article_ids: Sequence[str]) -> int:
        """Remove articles and their vectors; returns how many were stored."""
        known = self.store.known_hashes(article_ids)
        if known:
            self.store.commit([], list(known))
            self.store.save()
        return len(known)

    def _add_batch(self, batch: list[Article], tally: "_Tally") -> None:
        fingerprints = {article.id: text_fingerprint(article.text) for article in batch}
        stored_hashes = self.store.known_hashes([a.id for a in batch])
        stored_ids_by_hash = self.store.ids_by_hash(list(fingerprints.values()))
        fresh: list[Article] = []
        for article in batch:
            fingerprint = fingerprints[article.id]
            if stored_hashes.get(article.id) == fingerprint:
                tally.skipped += 1
            elif stored_ids_by_hash.get(fingerprint, article.id) != article.id:
                tally.skipped += 1  # the same text is stored under another id
            else:
                tally.replaced += article.id in stored_hashes
                tally.added += article.id not in stored_hashes
                fresh.append(article)
        new = self._prepare(fresh, fingerprints)
        if new:
            self.store.commit(new)
            tally.chunks += sum(len(item.chunks) for item in new)

    def _prepare(self, articles: list[Article], fingerprints: dict[str, str]) -> list[NewArticle]:
        passages = [self.passages(article) for article in articles]
        texts = [text for _, embedded in passages for text in embedded]
        vectors = self.embedder.embed_documents(texts, batch_size=self.settings.batch_size)
        new, row = [], 0
        for article, (chunks, _) in zip(articles, passages):
            new.append(NewArticle(
                article, fingerprints[article.id], chunks, vectors[row : row + len(chunks)], find_quotes(article)
            ))
            row += len(chunks)
        return new

    def passages(self, article: Article) -> tuple[list[Chunk], list[str]]:
        """The article's chunks, and the text embedded for each: the (shortened) headline, then the chunk."""
        chunking = self.store.manifest.chunking
        title = self._short_title(article.title)
        if chunking.chunk_tokens == WHOLE_ARTICLE:
            chunks = _whole_article_chunk(article)
            return chunks, [f"{title}\n{chunk.text}" if title else chunk.text for chunk in chunks]
        title_cost = self.embedder.count_tokens([title])[0] + 1 if title else 0
        special_tokens = 2  # [CLS] and [SEP]
        budget = min(chunking.chunk_tokens, self.embedder.max_tokens - special_tokens) - title_cost
        chunks = chunk_article(
            article, count_tokens=self.embedder.count_tokens, max_tokens=budget,
            overlap_tokens=min(chunking.overlap_tokens, budget // 2),
        )
        return chunks, [f"{title}\n{chunk.text}" if title else chunk.text for chunk in chunks]

    def _short_title(self, title: str) -> str:
        """The headline, cut at a word boundary to the manifest's title budget."""
        words = title.split()
        limit = self.store.manifest.chunking.title_tokens
        while words and self.embedder.count_tokens([" ".join(words)])[0] > limit:
            words = words[: max(1, len(words) * 3 // 4)] if len(words) > 1 else []
        return " ".join(words)


@dataclass
class _Tally:
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


def _batches(items: Iterable[Article | IngestError], tally: _Tally, chunk_budget: int) -> Iterator[list[Article]]:
    """Group articles so each batch holds about ``chunk_budget`` chunks (estimated from length);
    duplicates of an article earlier in the same batch are counted and dropped."""
    batch: list[Article] = []
    seen: set[str] = set()
    estimated_chunks = 0.0
    for item in items:
        if isinstance(item, IngestError):
            tally.failed.append(item)
            continue
        key = text_fingerprint(item.text)
        if item.id in seen or key in seen:
            tally.skipped += 1
            continue
        seen.update((item.id, key))
        batch.append(item)
        estimated_chunks += 1 + len(item.text) / 1000  # ~1,000 characters a chunk
        if estimated_chunks >= chunk_budget:
            yield batch
            batch, seen, estimated_chunks = [], set(), 0.0
    if batch:
        yield batch


def _whole_article_chunk(article: Article) -> list[Chunk]:
    start = len(article.text) - len(article.text.lstrip())
    end = len(article.text.rstrip())
    if start >= end:
        return []
    return [Chunk(article_id=article.id, ordinal=0, start=start, end=end, text=article.text[start:end])]


def _check_vectors_mix(store: Store, embedder: Embedder) -> None:
    from qa.embed import backend_of, vector_space_of

    manifest = store.manifest
    if embedder.dimension != manifest.dimension:
        raise QAError(
            f"{store.folder}: model {embedder.name!r} gives {embedder.dimension}-d vectors, "
            f"the index holds {manifest.dimension}-d"
        )
    if vector_space_of(embedder) != manifest.vector_space:
        raise QAError(
            f"{store.folder}: the index holds vectors of {manifest.vector_space!r} (embedded by backend "
            f"{manifest.embedding_backend!r}); backend {backend_of(embedder)!r} gives vectors of "
            f"{vector_space_of(embedder)!r}, which do not mix with them. Use backend "
            f"{manifest.embedding_backend!r} (QA_BACKEND), or build a new index in another folder"
        )


def _settings_of(store: Store, settings: Settings) -> Settings:
    """The user's run-time settings with the chunking that the index was built with."""
    chunking = store.manifest.chunking
    return Settings(
        model=store.manifest.model, chunk_tokens=chunking.chunk_tokens, overlap_tokens=chunking.overlap_tokens,
        title_tokens=chunking.title_tokens, batch_size=settings.batch_size, commit_chunks=settings.commit_chunks,
        reranker=settings.reranker, backend=settings.backend,
    )


def _check_query(query: str) -> str:
    if not isinstance(query, str) or not query.strip():
        raise QAError("empty query: ask something")
    return query.strip()


def _check_k(k: int) -> int:
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise QAError(f"k must be a positive whole number, not {k!r}")
    return min(k, 1000)


def _iso_date(value: str | date | None, field: str) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise QAError(f"{field}: {value!r} is not a date (expected YYYY-MM-DD)") from None
