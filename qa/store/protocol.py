"""What the layers above ask of a store, whichever keeps it: the local index folder (qa.store.store) or a
Milvus collection (qa.store.milvus). Index, indexing.py, search.py, answer/ and server/ use only this."""

from __future__ import annotations

from typing import TYPE_CHECKING, ContextManager, Protocol, Sequence

if TYPE_CHECKING:
    import numpy as np

    from qa.store.chunk_table import ChunkFacts
    from qa.store.article_rows import NewArticle
    from qa.store.manifest import Manifest
    from qa.store.quote_rows import SpeakerQuotes
    from qa.store.writelock import WaitCallback
    from qa.types import Article, Filters, FoundQuotes, Hit, Person, Quote, StoryCopy


class WriterLock(Protocol):
    """Who may write: held around every write of an Index (see Index._writing)."""

    def hold(self, *, wait: float | None = None, on_wait: WaitCallback | None = None) -> ContextManager[None]: ...


class SearchView(Protocol):
    """What one search reads (Store.view)."""

    def nearest(self, query: np.ndarray, k: int, filters: Filters = ...) -> list[tuple[int, float]]:
        """(chunk id, similarity) of the k chunks nearest to one unit query vector, best first."""

    def keyword_search(self, query: str, k: int, filters: Filters = ...) -> list[tuple[int, float]]:
        """(chunk id, BM25 score) of the k best chunks for the query's words, best first."""

    def chunk_facts(self, chunk_ids: Sequence[int]) -> dict[int, ChunkFacts]: ...

    def hits(self, scored: Sequence[tuple[int, float]]) -> list[Hit]: ...

    def stories_of(self, article_ids: Sequence[str]) -> dict[str, str]: ...

    def copies(self, article_ids: Sequence[str], filters: Filters = ...) -> dict[str, tuple[StoryCopy, ...]]: ...

    def chunk_ids_matching(self, filters: Filters) -> np.ndarray: ...

    def vectors_of(self, chunk_ids: np.ndarray) -> np.ndarray: ...


class StoreBackend(Protocol):
    """Articles, their passages with vectors, quotes and people, and bookkeeping values."""

    manifest: Manifest  # model, dimension, chunking, embedding backend of what is stored
    write_lock: WriterLock

    @property
    def location(self) -> str:
        """Where it is, as a user names it (a folder, or milvus://HOST:PORT/COLLECTION)."""

    def view(self) -> ContextManager[SearchView]: ...

    def refresh(self) -> None:
        """Pick up what another process committed."""

    def commit(self, new: Sequence[NewArticle], removed_ids: Sequence[str] = ()) -> None:
        """Store new articles (replacing older versions with the same id) and delete others."""

    def save(self) -> None:
        """Make what was committed durable for the next open."""

    def close(self) -> None: ...

    def counts(self) -> dict[str, int]:
        """articles, chunks and quotes stored."""

    def article(self, article_id: str) -> Article | None: ...

    def sources(self) -> list[str]: ...

    def known_hashes(self, article_ids: Sequence[str]) -> dict[str, str]: ...

    def quotes(
        self, *, article_ids: Sequence[str] | None = None, name_words: Sequence[str] = (), filters: Filters = ...
    ) -> list[Quote]: ...

    def speaker_quotes(self, speakers: Sequence[str], *, filters: Filters = ...) -> SpeakerQuotes: ...

    def people(
        self, name_words: Sequence[str], *, filters: Filters = ..., recent_since: str | None = None
    ) -> list[Person]: ...

    def replace_quotes(
        self, found: Sequence[tuple[str, str, FoundQuotes, Sequence[np.ndarray | None]]], state: dict[str, int]
    ) -> None: ...

    def stories_of(self, article_ids: Sequence[str]) -> dict[str, str]: ...

    def story_counts(self) -> dict[str, int]: ...

    def add_story_signatures(
        self, found: Sequence[tuple[str, str, np.ndarray | None]], state: dict[str, int], *, restart: bool = False
    ) -> None: ...

    def state(self, key: str) -> int | None: ...

    def articles_after(self, rowid: int, limit: int) -> list[tuple[int, str, Article]]: ...
