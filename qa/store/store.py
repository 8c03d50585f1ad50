"""Store: one index folder, keeping SQLite, the vector index and the BM25 index in step; StoreView: what
one search reads."""

from __future__ import annotations

import itertools
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from qa.errors import QAError
from qa.store.files import remove_temporaries, write_json_atomically
from qa.store.chunk_table import ChunkFacts, ChunkTable, NewChunks
from qa.store.keywords import KeywordIndex
from qa.store import stories
from qa.store.article_rows import NewArticle
from qa.store.database import Database
from qa.store.manifest import FORMAT_VERSION, MANIFEST, Chunking, Manifest, now, read_manifest
from qa.store.rwlock import ReadWriteLock
from qa.store.sql import filter_clause
from qa.store.vectors import VectorIndex
from qa.store.writelock import WriteLock
from qa.store.quote_rows import SpeakerQuotes
from qa.types import Article, Filters, FoundQuotes, Hit, Person, Quote, StoryCopy

META = "meta.sqlite"
VECTORS = "vectors.faiss"
CATCH_UP_BATCH = 65536  # vectors read from SQLite at once when catching up
# vectors.faiss is rewritten once the chunks added or removed since reach this share of the index: opening
# then reads at most that many vectors from SQLite, and the amortised write per change stays bounded.
VECTORS_REWRITE_SHARE = 0.05
VIEW_REFRESHES = 2  # refreshes a view tries before it rebuilds the vectors in its own SQLite snapshot


class Store:
    """Articles, chunks and vectors of one index folder. Safe for concurrent searches in one process."""

    def __init__(self, folder: Path, manifest: Manifest, database: Database, vectors: VectorIndex) -> None:
        self.folder = folder
        self.manifest = manifest
        self.database = database
        self._vectors = vectors
        self._chunks = ChunkTable.empty()  # follows self._vectors
        self._generation = manifest.generation  # the SQLite generation that self._vectors reflects
        self._keywords = KeywordIndex.empty()  # replaced whole, never changed: a search keeps the one it took
        self._unsaved_vector_changes = 0  # chunks added or removed since vectors.faiss was written
        self._lock = ReadWriteLock()
        self.write_lock = WriteLock(folder)  # across processes; its holder alone saves the files

    @property
    def location(self) -> str:
        return str(self.folder)

    # -- opening -------------------------------------------------------------------------------

    @staticmethod
    def exists(folder: str | Path) -> bool:
        return (Path(folder) / MANIFEST).is_file()

    @classmethod
    def create(
        cls, folder: str | Path, *, model: str, dimension: int, chunking: Chunking,
        embedding_backend: str, vector_space: str,
    ) -> "Store":
        folder = Path(folder)
        if cls.exists(folder):
            raise QAError(f"{folder}: an index already exists here")
        folder.mkdir(parents=True, exist_ok=True)
        database = Database(folder / META)
        created = now()
        manifest = Manifest(
            format_version=FORMAT_VERSION, model=model, dimension=dimension, chunking=chunking,
            vector_index=VectorIndex.kind, generation=database.generation(), articles=0, chunks=0,
            created=created, updated=created, embedding_backend=embedding_backend, vector_space=vector_space,
        )
        store = cls(folder, manifest, database, VectorIndex.empty(dimension))
        store.save()
        return store

    @classmethod
    def open(cls, folder: str | Path) -> "Store":
        folder = Path(folder)
        manifest = read_manifest(folder)
        database = Database(folder / META)
        store = cls(folder, manifest, database, VectorIndex.empty(manifest.dimension))
        store._keywords = KeywordIndex.load_newest(folder)
        rebuilt = store._load_vectors()
        if rebuilt or store._generation != manifest.generation or store._keywords.generation != store._generation:
            store._sync_keywords()
            # A writer in another process saves what it commits; the repair is saved only while none writes.
            with store.write_lock.attempt() as alone:
                if alone:
                    store.save()
        return store

    def _load_vectors(self) -> bool:
        """vectors.faiss brought up to SQLite, or a rebuild from SQLite when it is missing or of an older
        layout (True)."""
        path = self.folder / VECTORS
        loaded = VectorIndex.load(path, self.database.vectors_of) if path.is_file() else None
        if loaded is None:
            self._rebuild_vectors()
            return True
        self._vectors = loaded
        self._catch_up_vectors()
        return False

    def _rebuild_vectors(self) -> None:
        with self.database.snapshot() as generation:  # all of one generation, while another process commits
            count = self.database.counts()["chunks"]
            vectors = VectorIndex.build(
                self.manifest.dimension, count, self.database.all_vectors, self.database.vectors_of
            )
            self._vectors, self._chunks, self._generation = vectors, self.database.chunk_table(), generation
        self._unsaved_vector_changes = len(vectors) + 1  # vectors.faiss is of another build: rewrite it

    def _catch_up_vectors(self) -> None:
        """The vectors and the chunk table brought up to what SQLite holds now, in one snapshot: chunks
        stored since the vectors were written are read from SQLite, deleted ones removed. A chunk id is
        never reused and its vector never changes, so the ids alone tell what differs."""
        with self.database.snapshot() as generation:
            chunks, held = self.database.chunk_table(), self._vectors.ids()
            removed = np.setdiff1d(held, chunks.ids, assume_unique=True)
            added = np.setdiff1d(chunks.ids, held, assume_unique=True)
            if not self._vectors.plan.fits(len(held) - len(removed) + len(added)):
                self._rebuild_vectors()  # of another size band: built anew, from one scan of SQLite
                return
            self._vectors.remove(removed)
            for start in range(0, len(added), CATCH_UP_BATCH):
                ids = added[start : start + CATCH_UP_BATCH]
                self._vectors.add(ids, self.database.vectors_of(ids))
            self._chunks, self._generation = chunks, generation
            self._unsaved_vector_changes += len(removed) + len(added)
        if not self._vectors.fits():
            self._rebuild_vectors()

    def refresh(self) -> None:
        """Pick up what another process committed since this one loaded the vectors."""
        if self.database.generation() == self._generation:
            return
        with self._lock.writing():
            if self.database.generation() != self._generation:
                self._catch_up_vectors()
                self._keywords = _newer(KeywordIndex.load_newest(self.folder), self._keywords)
                try:
                    self.manifest = read_manifest(self.folder)
                except QAError:
                    pass  # kept: another process is replacing it
        self._sync_keywords()

    def _sync_keywords(self) -> KeywordIndex:
        """The BM25 index brought up to the chunks the vectors hold (after a write of this process, or of
        another one that did not save its build), without holding up searches meanwhile."""
        with self._lock.reading():  # the chunk table and its generation change together, under the write lock
            generation, chunk_ids = self._generation, self._chunks.ids
        current = self._keywords
        if current.generation != generation:
            synced = current.synced(generation, chunk_ids, self.database.keyword_texts)
            self._keywords = _newer(synced, self._keywords)
        return self._keywords

    def close(self) -> None:
        self.database.close()

    # -- reading -------------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        return self.database.counts()

    def article(self, article_id: str) -> Article | None:
        return self.database.article(article_id)

    def sources(self) -> list[str]:
        return self.database.sources()

    def known_hashes(self, article_ids: Sequence[str]) -> dict[str, str]:
        return self.database.known_hashes(article_ids)

    @contextmanager
    def view(self) -> Iterator["StoreView"]:
        """One consistent view for a whole search: a commit of this process waits until it is closed, so
        the vectors, the chunks and the articles read through it are all from before or all from after.
        SQLite is read in one snapshot of the same generation as the vectors: otherwise a commit of another
        process landing mid-search would drop the chunks it replaced, and the article with them."""
        # The snapshot's generation is the staleness check: refresh only when it differs, so a search on
        # an unchanged index reads the generation once.
        for attempt in itertools.count():
            with self.database.snapshot() as generation:
                if attempt >= VIEW_REFRESHES and generation > self._generation:
                    # Commits keep landing while a refresh reads: catch up with this very snapshot instead.
                    with self._lock.writing():
                        if generation > self._generation:
                            self._rebuild_vectors()
                    self._sync_keywords()
                with self._lock.reading():
                    if generation == self._generation:
                        yield StoreView(self.database, self._vectors, self._keywords, self._chunks)
                        return
            self.refresh()

    def quotes(
        self, *, article_ids: Sequence[str] | None = None, name_words: Sequence[str] = (), filters: Filters = Filters()
    ) -> list[Quote]:
        """Stored quotes (optionally of some articles, or whose speaker or role contains one of ``name_words``)."""
        return self.database.quotes(article_ids=article_ids, name_words=name_words, filters=filters)

    def speaker_quotes(self, speakers: Sequence[str], *, filters: Filters = Filters()) -> SpeakerQuotes:
        """Every stored quotation of ``speakers`` (exact names), with the words framing each and its vector."""
        return self.database.speaker_quotes(speakers, filters=filters, dimension=self.manifest.dimension)

    def people(
        self, name_words: Sequence[str], *, filters: Filters = Filters(), recent_since: str | None = None
    ) -> list[Person]:
        """Who the stored articles name with one of ``name_words`` in their name or role, and when (how many
        of them since ``recent_since``)."""
        return self.database.people(name_words, filters=filters, recent_since=recent_since)

    def stories_of(self, article_ids: Sequence[str]) -> dict[str, str]:
        """The story of each given article: the id that all stored copies of it share (its own id when
        no other stored article is a near-copy of it), to count what copies say once."""
        grouped = stories.stories_of(self.database.connection(), article_ids)
        return {article: grouped.get(article, article) for article in article_ids}

    def story_counts(self) -> dict[str, int]:
        """Stories with more than one stored copy, and the articles in them."""
        return stories.counts(self.database.connection())

    def add_story_signatures(
        self, found: Sequence[tuple[str, str, np.ndarray | None]], state: dict[str, int], *, restart: bool = False
    ) -> None:
        """Group articles stored without a story signature (article id, text hash, signature), and set
        bookkeeping values, at once (``restart``: forgetting every grouping first); like replace_quotes it
        leaves the generation alone, since searches read the grouping from SQLite."""
        stories.backfill(self.database, found, state, restart=restart)

    def state(self, key: str) -> int | None:
        """A bookkeeping value of the index (e.g. which quote extractor its quotes come from)."""
        return self.database.state(key)

    def articles_after(self, rowid: int, limit: int) -> list[tuple[int, str, Article]]:
        """(rowid, text hash, article) of the next stored articles in storage order, for backfills."""
        return self.database.articles_after(rowid, limit)

    def replace_quotes(
        self, found: Sequence[tuple[str, str, FoundQuotes, Sequence[np.ndarray | None]]], state: dict[str, int]
    ) -> None:
        """Store re-extracted quotes of (article id, text hash, quotes found, their vectors) and bookkeeping
        values at once. Quote vectors live in SQLite alone, so this leaves the generation (and
        vectors.faiss) alone."""
        self.database.replace_quotes(found, state)

    # -- writing -------------------------------------------------------------------------------

    def commit(self, new: Sequence[NewArticle], removed_ids: Sequence[str] = ()) -> None:
        """Store new articles (replacing older versions with the same id) and delete others, at once."""
        with self._lock.writing():
            before, removed, added = self.database.commit(new, removed_ids)
            if before != self._generation:
                self._catch_up_vectors()  # another process wrote since we loaded; this includes our commit
                return
            self._vectors.remove(removed)
            if new:
                self._vectors.add(added, np.concatenate([item.vectors for item in new]))
            self._unsaved_vector_changes += len(removed) + len(added)
            self._chunks = self._chunks.with_changes(removed, _new_chunks(new, added))
            self._generation = before + 1
            if not self._vectors.fits():
                self._rebuild_vectors()  # the collection outgrew (or shrank below) its index type

    def save(self) -> None:
        """Persist the BM25 index, vectors.faiss when enough changed since it was written, then the
        manifest (and clear away what a writer killed while saving left). By the holder of the write lock
        only. vectors.faiss may lag behind SQLite: opening reads the chunks it lacks from SQLite, so
        rewriting it (1.5 GB at 1M chunks) waits until the changes reach a share of it."""
        remove_temporaries(self.folder)
        self._sync_keywords().save(self.folder)
        with self._lock.reading():
            generation, kind = self._generation, self._vectors.kind
            if self._unsaved_vector_changes > len(self._vectors) * VECTORS_REWRITE_SHARE or not (
                self.folder / VECTORS
            ).is_file():
                self._save_vectors()
            counts = self.database.counts()
        self.manifest = replace(
            self.manifest, format_version=FORMAT_VERSION, generation=generation, articles=counts["articles"],
            chunks=counts["chunks"],
            vector_index=kind, updated=now(),
        )
        write_json_atomically(self.folder / MANIFEST, self.manifest.to_dict())

    def _save_vectors(self) -> None:
        self._vectors.save(self.folder / VECTORS)
        self._unsaved_vector_changes = 0


class StoreView:
    """What a search reads, under the store's read lock (see Store.view)."""

    def __init__(self, database: Database, vectors: VectorIndex, keywords: KeywordIndex, chunks: ChunkTable) -> None:
        self._database, self._vectors, self._keywords, self._chunks = database, vectors, keywords, chunks

    def nearest(self, query: np.ndarray, k: int, filters: Filters = Filters()) -> list[tuple[int, float]]:
        """(chunk id, cosine) of the k chunks nearest to one unit query vector, best first."""
        allowed = self.chunk_ids_matching(filters) if filters else None
        if allowed is not None and not len(allowed):
            return []
        scores, ids = self._vectors.search(query.reshape(1, -1), k, allowed)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    def chunk_ids_matching(self, filters: Filters) -> np.ndarray:
        """Ids of the chunks of the articles ``filters`` allows, sorted: by date from the chunk table (of
        this view's generation), by outlet from SQLite."""
        dated = self._chunks.dated(filters)
        return dated if dated is not None else self._database.chunk_ids_matching(filters)

    def vectors_of(self, chunk_ids: np.ndarray) -> np.ndarray:
        """The stored vectors of ``chunk_ids``, in that order."""
        return self._database.vectors_of(chunk_ids)

    def keyword_search(self, query: str, k: int, filters: Filters = Filters()) -> list[tuple[int, float]]:
        """(chunk id, BM25 score) of the k best chunks for the query's words (stemmed, stopwords dropped),
        over each chunk's headline and text, best first. The BM25 index catches up with a bulk ingest
        when the ingest ends, so it may still hold a chunk replaced meanwhile: callers look chunks up."""
        allowed = self.chunk_ids_matching(filters) if filters else None
        if allowed is not None and not len(allowed):
            return []
        return self._keywords.search(query, k, allowed)

    def chunk_facts(self, chunk_ids: Sequence[int]) -> dict[int, ChunkFacts]:
        """Facts of those of ``chunk_ids`` that are stored."""
        return self._chunks.facts(chunk_ids)

    def hits(self, scored: Sequence[tuple[int, float]]) -> list[Hit]:
        """Hits for (chunk id, score) pairs, in the given order; chunks no longer stored are dropped."""
        return self._database.hits(scored)

    def stories_of(self, article_ids: Sequence[str]) -> dict[str, str]:
        """The story of each given article that has stored near-copies (the others are their own)."""
        return stories.stories_of(self._database.connection(), article_ids)

    def copies(self, article_ids: Sequence[str], filters: Filters = Filters()) -> dict[str, tuple[StoryCopy, ...]]:
        """The other stored copies of each given article's story that ``filters`` allows, newest first."""
        story = self.stories_of(article_ids)
        where, params = filter_clause(filters)
        by_story: dict[str, list[StoryCopy]] = {}
        for key, article_id, source, url, published in stories.members(
            self._database.connection(), sorted(set(story.values())), where, params
        ):
            by_story.setdefault(key, []).append(StoryCopy(article_id, source, url, published))
        return {
            article: tuple(copy for copy in by_story.get(key, ()) if copy.article_id != article)
            for article, key in story.items()
        }


def _new_chunks(new: Sequence[NewArticle], added_ids: np.ndarray) -> list[NewChunks]:
    """The chunk ids a commit gave each new article (in order: see Database.commit)."""
    ends = np.cumsum([len(item.chunks) for item in new])
    return [
        NewChunks(ids, article_id=item.article.id, published=item.article.published,
                  ordinals=[chunk.ordinal for chunk in item.chunks])
        for item, ids in zip(new, np.split(added_ids, ends[:-1]))
    ]


def _newer(one: KeywordIndex, other: KeywordIndex) -> KeywordIndex:
    return one if one.generation >= other.generation else other


