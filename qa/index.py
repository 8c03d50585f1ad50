"""Index: add, replace, delete and search articles over a Store and an Embedder."""

from __future__ import annotations

import hashlib
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np

from qa.chunk import chunk_article
from qa.config import DEFAULT_INDEX, Settings
from qa.embed import Embedder
from qa.errors import QAError
from qa.store import Chunking, Filters, NewArticle, Store
from qa.types import Article, Chunk, Hit, IngestError, IngestReport

ProgressCallback = Callable[[int], None]


def text_fingerprint(text: str) -> str:
    """Identity of an article's text for duplicate detection: case, Unicode form and spacing ignored."""
    normalised = " ".join(unicodedata.normalize("NFC", text).casefold().split())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def load_sentence_transformer(name: str) -> Embedder:
    from qa.embed import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(name)


class Index:
    """A searchable collection of articles in one folder on disk.

    The embedding model is loaded on first use, so opening an index to inspect or delete is fast."""

    def __init__(self, store: Store, embedder: Embedder | None, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._embedder = embedder

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
            return cls(store, embedder, _settings_of(store, settings))
        embedder = embedder or load_sentence_transformer(settings.model)
        chunking = Chunking(settings.chunk_tokens, settings.overlap_tokens, settings.title_tokens)
        store = Store.create(path, model=embedder.name, dimension=embedder.dimension, chunking=chunking)
        return cls(store, embedder, settings)

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            loaded = load_sentence_transformer(self.store.manifest.model)
            if loaded.dimension != self.store.manifest.dimension:
                raise QAError(
                    f"{self.store.folder}: model {loaded.name!r} gives {loaded.dimension}-d vectors, "
                    f"the index holds {self.store.manifest.dimension}-d"
                )
            self._embedder = loaded
        return self._embedder

    def close(self) -> None:
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
    ) -> list[Hit]:
        """The k passages most relevant to ``query``, best first, optionally filtered by outlet and date."""
        query = _check_query(query)
        k = _check_k(k)
        filters = Filters(source=source or None, since=_iso_date(since, "since"), until=_iso_date(until, "until"))
        vector = self.embedder.embed_queries([query])[0]
        return self.store.search(vector, k, filters)

    def article(self, article_id: str) -> Article | None:
        return self.store.article(article_id)

    def stats(self) -> dict:
        manifest = self.store.manifest
        return {
            "path": str(self.store.folder),
            "model": manifest.model,
            "dimension": manifest.dimension,
            "vector_index": manifest.vector_index,
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
        chunked = [(article, self._chunk(article)) for article in articles]
        texts = [
            _embedding_text(title, chunk.text)
            for (article, chunks) in chunked
            for title in [self._short_title(article.title)]
            for chunk in chunks
        ]
        vectors = self.embedder.embed_documents(texts, batch_size=self.settings.batch_size)
        new, row = [], 0
        for article, chunks in chunked:
            new.append(NewArticle(article, fingerprints[article.id], chunks, vectors[row : row + len(chunks)]))
            row += len(chunks)
        return new

    def _chunk(self, article: Article) -> list[Chunk]:
        chunking = self.store.manifest.chunking
        title = self._short_title(article.title)
        title_cost = self.embedder.count_tokens([title])[0] + 1 if title else 0
        special_tokens = 2  # [CLS] and [SEP]
        budget = min(chunking.chunk_tokens, self.embedder.max_tokens - special_tokens - title_cost)
        return chunk_article(
            article, count_tokens=self.embedder.count_tokens, max_tokens=budget,
            overlap_tokens=min(chunking.overlap_tokens, budget // 2),
        )

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


def _embedding_text(title: str, text: str) -> str:
    return f"{title}\n{text}" if title else text


def _settings_of(store: Store, settings: Settings) -> Settings:
    """The user's run-time settings with the chunking that the index was built with."""
    chunking = store.manifest.chunking
    return Settings(
        model=store.manifest.model, chunk_tokens=chunking.chunk_tokens, overlap_tokens=chunking.overlap_tokens,
        title_tokens=chunking.title_tokens, batch_size=settings.batch_size, commit_chunks=settings.commit_chunks,
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
