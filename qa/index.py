"""Index: the face of one index folder (open and close, add, delete, search, article, quotes, stats).

The work happens elsewhere: qa.indexing ingests, qa.search ranks, qa.store keeps. Index holds what
they share (the store, the lazily loaded model, the query batcher, the ranking settings) and the
writer locks: an in-process one, so that two writes through one Index never interleave, and inside it
the index folder's write lock (qa.store.writelock), so that two processes' writes never do either.
"""

from __future__ import annotations

import threading
from datetime import date, timedelta
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, Sequence

import numpy as np

from qa import indexing, search
from qa.config import DEFAULT_INDEX, Settings
from qa.embed import DEFAULT_BACKEND, CrossEncoderReranker, Embedder, backend_of, load_embedder, vector_space_of
from qa.embed.batching import QueryBatcher
from qa.errors import QAError
from qa.quotes.framing import framing_span
from qa.quotes.descriptions import Described, describes_someone, later_holder, mentions, resolve_by_description
from qa.quotes.resolution import resolve_speaker
from qa.quotes.speakers import name_search_words, speaker_matches
from qa.store import Chunking
from qa.store.factory import create_store, creating, open_store, store_exists
from qa.store.writelock import WaitCallback
from qa.types import Article, Filters, Hit, IngestError, IngestReport, Quote

if TYPE_CHECKING:
    from qa.quotes.resolution import Resolution
    from qa.store.protocol import StoreBackend
    from qa.store.quote_rows import SpeakerQuotes

DESCRIPTION_ARTICLES = 10  # articles searched for a speaker named by a description no stored role fits
RECENT_DAYS = 60  # a role's holder as of a date: who the articles of the weeks before gave it to most


class Index:
    """A searchable collection of articles: in one folder on disk, or in a Milvus collection.

    The embedding model is loaded on first use, so opening an index to inspect or delete is fast.

    A write waiting for another process's is told to ``on_write_wait`` (with who holds the index),
    once, before it waits."""

    def __init__(
        self, store: StoreBackend, embedder: Embedder | None, settings: Settings, *, on_write_wait: WaitCallback | None = None
    ) -> None:
        self.store = store
        self.on_write_wait = on_write_wait
        self.settings = settings
        self.ranking = search.RankSettings()
        self.reranker: search.Reranker | None = (
            CrossEncoderReranker(settings.reranker) if settings.reranker else None
        )
        self._embedder = embedder
        self._queries = QueryBatcher(lambda texts: self.embedder.embed_queries(texts))
        self._writer = threading.Lock()

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
        on_write_wait: WaitCallback | None = None,
    ) -> "Index":
        """Open the index at ``path`` (a folder, or milvus://HOST:PORT/COLLECTION); with ``create=True`` make
        a new one there if there is none.

        ``model`` (or ``settings.model``, or ``embedder``) picks the sentence-transformers model of a new
        index; for an existing one it must be the model the index was built with. Without ``embedder``
        the model is loaded on first use."""
        settings = settings or Settings.from_env(model=model)
        if not create or store_exists(path):
            store = open_store(path)
            built_with = store.manifest.model
            wanted = model or (embedder.name if embedder else None)
            if wanted and wanted != built_with:
                raise QAError(
                    f"{path}: index was built with model {built_with!r}, not {wanted!r}; "
                    "use that model, or build a new index in another folder"
                )
            if embedder:
                _check_vectors_mix(store, embedder)
            return cls(store, embedder, _settings_of(store, settings), on_write_wait=on_write_wait)
        embedder = embedder or load_embedder(settings.model, settings.backend or DEFAULT_BACKEND)
        chunking = Chunking(settings.chunk_tokens, settings.overlap_tokens, settings.title_tokens)
        # Two first ingests into one new folder: one creates the index, the other then opens it.
        with creating(path, on_write_wait):
            if not store_exists(path):
                store = create_store(
                    path, model=embedder.name, dimension=embedder.dimension, chunking=chunking,
                    embedding_backend=backend_of(embedder), vector_space=vector_space_of(embedder),
                )
                indexing.mark_quotes_current(store)
                indexing.mark_stories_current(store)
                return cls(store, embedder, settings, on_write_wait=on_write_wait)
        return cls.open(path, model=model, embedder=embedder, settings=settings, on_write_wait=on_write_wait)

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = self._load_embedder()
        return self._embedder

    def _load_embedder(self) -> Embedder:
        """The settings' backend; by default the default backend if its vectors mix with the index's
        (so a query need not load torch), else the backend the index was built with."""
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
        filters: Filters = Filters(),
        mode: str | None = None,
        per_article: bool = True,
        all_copies: bool = False,
    ) -> list[Hit]:
        """The k passages most relevant to ``query``, best first, from the articles ``filters`` allows.

        ``mode`` is "hybrid" (keyword and vector search fused; None means it), "dense" or "bm25". A
        ``filters.as_of`` date answers as on that date: nothing published after it, and recent articles
        preferred. With ``per_article`` (the default) the k passages come from k distinct articles.
        Near-copies of one story (qa/store/stories.py) count as one article, shown by its best-ranked
        copy, whose ``also_in`` lists the others; ``all_copies`` shows every copy on its own."""
        request = search.SearchRequest(
            query=_check_query(query),
            k=_check_k(k),
            filters=filters,
            mode=search.check_mode(mode or search.DEFAULT_MODE),
            settings=replace(self.ranking, per_article=per_article),
            reranker=self.reranker,
            all_copies=all_copies,
        )
        return search.search(self.store, self._queries.submit, request)

    def embed_query(self, query: str) -> np.ndarray:
        """The query's unit vector, embedded together with other queries waiting at the same moment."""
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
        filters: Filters = Filters(),
    ) -> list[Quote]:
        """Direct quotations found at ingest, by article then position, each with its exact span and
        resolved speaker; a quotation that several copies of one story carry (same speaker, same words:
        stories_of) is listed once, from the first of them. ``speaker`` is a name or role as a user writes it ("Blinken", "the secretary of
        state"): only quotes that speaker_matches keeps. ``filters.as_of`` counts as ``until`` here.
        Reads only: an index whose quotes_pending() needs ensure_quotes() (a write) first."""
        filters = Filters(source=filters.source, since=filters.since, until=filters.until or filters.as_of)
        # LIKE pre-filter on every word of the name, so that "the senator" still finds the role "Sen.".
        words = name_search_words(speaker or "")
        if speaker is not None and not words:
            return []
        found = self.store.quotes(article_ids=article_ids, name_words=words, filters=filters)
        matched = [quote for quote in found if speaker is None or speaker_matches(speaker, quote)]
        story_of = self.store.stories_of(sorted({quote.article_id for quote in matched}))
        return _once_per_story(matched, story_of)

    def resolve_speaker(self, phrase: str, *, filters: Filters = Filters(), topic: str = "") -> Resolution | None:
        """The person a name or role as a user writes it means ("Blinken", "the CDC director"): by the people
        the articles matching ``filters`` name, up to ``filters.as_of`` (the holder of a role as of then);
        failing that, a description ("the Steelers' owner") by the quotes of the articles a search for it
        and ``topic`` finds."""
        words = name_search_words(phrase)
        if not words:
            return None
        up_to = Filters(source=filters.source, since=filters.since, until=filters.until or filters.as_of)
        as_of = filters.as_of or filters.until
        recent_since = (date.fromisoformat(as_of) - timedelta(days=RECENT_DAYS)).isoformat() if as_of else None
        resolved = resolve_speaker(phrase, self.store.people(words, filters=up_to, recent_since=recent_since))
        # A description that merely contains a stored name ("president of Beyond Plastics" and the speaker
        # "Beyond Plastics") is read as a description first.
        # A role's holder not seen in it in the weeks before the date may have left it: the articles a search
        # finds may name a later one.
        stale = resolved is not None and bool(resolved.role and recent_since and resolved.last_seen < recent_since)
        if not describes_someone(phrase) or (resolved is not None and resolved.role and not stale):
            return resolved
        hits = self.search(f"{phrase} {topic}".strip(), DESCRIPTION_ARTICLES, filters=up_to)
        described = []
        for article_id in dict.fromkeys(hit.article_id for hit in hits):  # best first
            article = self.store.article(article_id)
            quotes = self.store.quotes(article_ids=[article_id]) if article else []
            for speaker in dict.fromkeys(quote.speaker for quote in quotes):
                framings = [article.text[slice(*framing_span(article.text, q.start, q.end))]
                            for q in quotes if q.speaker == speaker]
                near = "\n".join(framings + mentions(article.text, speaker))
                role = " ".join(dict.fromkeys(q.role for q in quotes if q.speaker == speaker and q.role))
                described.append(Described(speaker, near, f"{article.title}\n{article.text}", role, article.published))
        if stale:
            return later_holder(phrase, described, resolved) or resolved
        return resolve_by_description(phrase, described) or resolved

    def speaker_quotes(self, names: Sequence[str], *, filters: Filters = Filters()) -> SpeakerQuotes:
        """Every stored quotation of the speakers ``names`` (as stored, e.g. a Resolution's names) in the
        articles matching ``filters`` (``as_of`` counting as ``until``), with framings and vectors."""
        filters = Filters(source=filters.source, since=filters.since, until=filters.until or filters.as_of)
        return self.store.speaker_quotes(names, filters=filters)

    def ensure_quotes(
        self, *, on_progress: indexing.ProgressCallback | None = None, wait: float | None = None
    ) -> int:
        """Extract and embed the quotes of articles stored without current ones, without re-embedding their
        passages: indexing.backfill_quotes under the writer locks. Returns how many articles were read.
        ``wait``: as in add()."""
        if not self.quotes_pending():
            return 0
        embedder = self.embedder  # loaded before the locks, as in add()
        with self._writing(wait):
            return indexing.backfill_quotes(self.store, embedder, on_progress=on_progress)

    def stories_of(self, article_ids: Sequence[str]) -> dict[str, str]:
        """The story of each given article: an id that every stored near-copy of it (the same wire text
        elsewhere, an updated version) shares, its own id when it has none. Quotes from copies of one
        story are one quote."""
        return self.store.stories_of(list(article_ids))

    def ensure_stories(
        self, *, on_progress: indexing.ProgressCallback | None = None, wait: float | None = None
    ) -> int:
        """Group the stored articles of an index built before stories were grouped (a write, under the
        writer locks; searches show every copy until it is done). Returns how many articles were read."""
        with self._writing(wait):
            return indexing.backfill_stories(self.store, on_progress=on_progress)

    def stories_pending(self) -> bool:
        """Whether stored articles are not grouped into stories yet, so that ensure_stories() has work."""
        return indexing.stories_pending(self.store)

    def quotes_pending(self) -> bool:
        """Whether stored articles lack current quotes, so that ensure_quotes() has work to do."""
        return indexing.quotes_pending(self.store)

    def stats(self) -> dict:
        manifest = self.store.manifest
        return {
            "path": self.store.location,
            "model": manifest.model,
            "dimension": manifest.dimension,
            "vector_index": manifest.vector_index,
            "embedding_backend": manifest.embedding_backend,
            "chunking": vars(manifest.chunking),
            "created": manifest.created,
            "updated": manifest.updated,
            **self.store.counts(),
            **self.store.story_counts(),
        }

    # -- writing -------------------------------------------------------------------------------

    def add(
        self, items: Iterable[Article | IngestError], *, on_progress: indexing.ProgressCallback | None = None,
        wait: float | None = None, ray: str | None = None,
    ) -> IngestReport:
        """Add articles, skipping ones already in (same id and text) and replacing ones whose text
        changed; the same text under another id is another copy of its story. Commits every few hundred
        chunks, so an interruption loses at most the batch in flight and running the same input again
        resumes where it stopped. Stored articles still lacking quotes get them first.

        While another process writes to the index this waits for it: until it finishes (``wait`` None),
        or ``wait`` seconds, then raises IndexBusyError naming it.

        With ``ray`` (a Ray cluster's address, or "local" for a new one in this process) the passages
        and quotes are prepared and embedded on that cluster (qa.indexing_ray); the index is the same."""
        embedder = self.embedder  # loaded before the locks: the model loads while another writer writes
        with self._writing(wait):
            indexing.backfill_quotes(self.store, embedder)
            indexing.backfill_stories(self.store)
            if ray is None:
                return indexing.add_articles(
                    self.store, embedder, items, embed_batch=self.settings.batch_size,
                    commit_chunks=self.settings.commit_chunks, on_progress=on_progress,
                )
            from qa import indexing_ray

            return indexing_ray.add_articles(
                self.store, embedder, items, address=ray, embed_batch=self.settings.batch_size,
                commit_chunks=self.settings.commit_chunks, on_progress=on_progress,
            )

    def delete(self, article_ids: Sequence[str], *, wait: float | None = None) -> int:
        """Remove articles and their vectors; returns how many were stored. ``wait``: as in add()."""
        with self._writing(wait):
            return indexing.delete_articles(self.store, article_ids)

    @contextmanager
    def _writing(self, wait: float | None) -> Iterator[None]:
        # In-process first: threads of this process queue on it, and only one of them waits on the folder.
        with self._writer, self.store.write_lock.hold(wait=wait, on_wait=self.on_write_wait):
            # Another process may have written since this one loaded: saving without catching up would
            # put this process's older vectors and generation back on disk, even from a write that
            # commits nothing.
            self.store.refresh()
            yield


def _once_per_story(quotes: list[Quote], story_of: dict[str, str]) -> list[Quote]:
    seen: set[tuple[str, str, str]] = set()
    kept = []
    for quote in quotes:
        key = (story_of[quote.article_id], quote.speaker.casefold(), " ".join(quote.text.casefold().split()))
        if key not in seen:
            seen.add(key)
            kept.append(quote)
    return kept


def _check_vectors_mix(store: StoreBackend, embedder: Embedder) -> None:
    manifest = store.manifest
    if embedder.dimension != manifest.dimension:
        raise QAError(
            f"{store.location}: model {embedder.name!r} gives {embedder.dimension}-d vectors, "
            f"the index holds {manifest.dimension}-d"
        )
    if vector_space_of(embedder) != manifest.vector_space:
        raise QAError(
            f"{store.location}: the index holds vectors of {manifest.vector_space!r} (embedded by backend "
            f"{manifest.embedding_backend!r}); backend {backend_of(embedder)!r} gives vectors of "
            f"{vector_space_of(embedder)!r}, which do not mix with them. Use backend "
            f"{manifest.embedding_backend!r} (QA_BACKEND), or build a new index in another folder"
        )


def _settings_of(store: StoreBackend, settings: Settings) -> Settings:
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
