"""meta.sqlite, the source of truth of an index: articles, chunks (with their vectors), quotes and people
(their tables in qa.store.article_rows and qa.store.quote_rows), state."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, Sequence

import numpy as np

from qa.store import article_rows, quote_rows, stories
from qa.store.chunk_table import ChunkTable
from qa.store.people_table import PeopleCache, mark_people_changed
from qa.store.sql import Transaction, batches, filter_clause, marks
from qa.types import Filters

if TYPE_CHECKING:
    from qa.store.article_rows import NewArticle
    from qa.store.quote_rows import SpeakerQuotes
    from qa.types import Article, FoundQuotes, Hit, Person, Quote

SCHEMA = """
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO state VALUES ('generation', 0);
"""

MATCHING_KEPT = 16  # filter results cached by chunk_ids_matching

class Database:
    """Thread-safe access to meta.sqlite: one connection per thread, WAL so readers never block on a writer."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._matching: dict[tuple[Filters, int], np.ndarray] = {}  # the latest last
        self._matching_lock = threading.Lock()
        self._people = PeopleCache()  # in memory: a LIKE scan of the rows costs more than the rest of a quote answer
        schemas = (SCHEMA, article_rows.SCHEMA, quote_rows.SCHEMA, stories.SCHEMA)
        self.connection().executescript(f"BEGIN IMMEDIATE; {' '.join(schemas)} COMMIT;")
        if quote_rows.missing_columns(self.connection()):
            with self._transaction() as db:
                quote_rows.migrate(db)

    def connection(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, isolation_level=None, timeout=60, check_same_thread=False)
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("PRAGMA foreign_keys = ON")
            self._local.db = db
        return db

    def _transaction(self):
        return Transaction(self.connection())

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    # -- reads ---------------------------------------------------------------------------------

    @contextmanager
    def snapshot(self) -> Iterator[int]:
        """A read transaction of this thread: what it reads until the end is of one generation (given)."""
        db = self.connection()
        if db.in_transaction:  # a view within a view: the outer one's snapshot holds
            yield self.generation()
            return
        db.execute("BEGIN")
        try:
            yield self.generation()
        finally:
            db.execute("COMMIT")

    def generation(self) -> int:
        return self.connection().execute("SELECT value FROM state WHERE key = 'generation'").fetchone()[0]

    def counts(self) -> dict[str, int]:
        db = self.connection()
        return {
            "articles": db.execute("SELECT count(*) FROM articles").fetchone()[0],
            "chunks": db.execute("SELECT count(*) FROM chunks").fetchone()[0],
            "quotes": db.execute("SELECT count(*) FROM quotes").fetchone()[0],
        }

    def known_hashes(self, article_ids: Iterable[str]) -> dict[str, str]:
        """text_hash of each given article id that is stored."""
        return self._lookup("id", "text_hash", list(article_ids))

    def _lookup(self, key: str, value: str, keys: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for part in batches(keys):
            found.update(self.connection().execute(f"SELECT {key}, {value} FROM articles WHERE {key} IN ({marks(part)})", part))
        return found

    def article(self, article_id: str) -> Article | None:
        return article_rows.article(self.connection(), article_id)

    def sources(self) -> list[str]:
        """Distinct outlets, grouped the way the source filter matches them (ignoring case)."""
        rows = self.connection().execute(
            "SELECT min(source) FROM articles WHERE source != '' GROUP BY source COLLATE NOCASE "
            "ORDER BY source COLLATE NOCASE"
        )
        return [row[0] for row in rows]

    def all_vectors(self, batch: int = 65536) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(chunk ids, vectors) of every stored chunk, in batches, for rebuilding the vector index."""
        last = 0
        while True:
            rows = self.connection().execute(
                "SELECT id, vector FROM chunks WHERE id > ? ORDER BY id LIMIT ?", (last, batch)
            ).fetchall()
            if not rows:
                return
            ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
            vectors = np.frombuffer(b"".join(row[1] for row in rows), dtype=np.float32)
            yield ids, vectors.reshape(len(rows), -1)
            last = int(ids[-1])

    def vectors_of(self, chunk_ids: np.ndarray) -> np.ndarray:
        """The stored vectors of these chunks, in the given order: exact scores for an approximate index."""
        ids = [int(i) for i in chunk_ids]
        stored: dict[int, bytes] = {}
        for part in batches(ids):
            stored.update(self.connection().execute(f"SELECT id, vector FROM chunks WHERE id IN ({marks(part)})", part))
        return np.frombuffer(b"".join(stored[i] for i in ids), dtype=np.float32).reshape(len(ids), -1)

    def chunk_ids_matching(self, filters: Filters) -> np.ndarray:
        """Ids of the chunks the filters allow, sorted. Kept until the next write for the last few filters:
        the same date or outlet is asked again and again, and the join costs more than a search."""
        key = (filters, self.generation())
        with self._matching_lock:
            cached = self._matching.get(key)
        if cached is not None:
            return cached
        where, params = filter_clause(filters)
        rows = self.connection().execute(
            f"SELECT c.id FROM chunks c JOIN articles a ON a.id = c.article_id WHERE {where} ORDER BY c.id", params
        ).fetchall()
        ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
        with self._matching_lock:
            current = [item for item in self._matching.items() if item[0][1] == key[1]]
            self._matching = dict(current[-(MATCHING_KEPT - 1) :] + [(key, ids)])
        return ids

    def keyword_texts(self, chunk_ids: np.ndarray) -> list[str]:
        """What BM25 indexes of each chunk, in the given order: its article's headline, then its text."""
        by_id: dict[int, str] = {}
        for part in batches([int(chunk_id) for chunk_id in chunk_ids]):
            rows = self.connection().execute(
                "SELECT c.id, coalesce(a.title, ''), substr(a.text, c.start + 1, c.end - c.start) FROM chunks c "
                f"JOIN articles a ON a.id = c.article_id WHERE c.id IN ({marks(part)})",
                part,
            )
            by_id.update((row[0], f"{row[1]}\n{row[2]}") for row in rows)
        # A chunk deleted since the caller listed it is never looked up again (ids are not reused).
        return [by_id.get(int(chunk_id), "") for chunk_id in chunk_ids]

    def chunk_table(self) -> ChunkTable:
        """Facts of every stored chunk, for ranking (see chunk_table), read in one transaction. In
        (article, place) order, the index chunks_by_article_place answers without reading the chunk
        rows and their vectors: 47–59 ms at 37,796 chunks, against 134–183 for a join in id order."""
        with self.snapshot():
            db = self.connection()
            published = dict(db.execute("SELECT id, published FROM articles"))
            rows = db.execute("SELECT id, article_id, ordinal FROM chunks ORDER BY article_id, ordinal").fetchall()
        return ChunkTable.from_rows((chunk, article, ordinal, published[article]) for chunk, article, ordinal in rows)

    def hits(self, scored: Sequence[tuple[int, float]]) -> list[Hit]:
        """Hits for (chunk id, score) pairs, in the given order; ids no longer stored are dropped."""
        return article_rows.hits(self.connection(), scored)

    def quotes(
        self, *, article_ids: Sequence[str] | None = None, name_words: Sequence[str] = (), filters: Filters = Filters()
    ) -> list[Quote]:
        """Stored quotes with their words, by article then position. ``name_words`` keeps quotes whose
        speaker or role contains one of the words (a cheap pre-filter; callers match names exactly)."""
        where, params = filter_clause(filters)
        parts = list(batches(list(article_ids))) if article_ids is not None else [None]
        return quote_rows.quotes(self.connection(), where, params, name_words, parts)

    def state(self, key: str) -> int | None:
        row = self.connection().execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return None if row is None else int(row[0])

    def articles_after(self, rowid: int, limit: int) -> list[tuple[int, str, Article]]:
        """(rowid, text hash, article) of up to ``limit`` stored articles after ``rowid``, in rowid order."""
        return article_rows.articles_after(self.connection(), rowid, limit)

    def speaker_quotes(self, speakers: Sequence[str], *, filters: Filters, dimension: int) -> SpeakerQuotes:
        """Every stored quotation of ``speakers`` (exact names), with framings and vectors."""
        where, params = filter_clause(filters)
        return quote_rows.speaker_quotes(self.connection(), speakers, where, params, dimension)

    def people(
        self, name_words: Sequence[str], *, filters: Filters = Filters(), recent_since: str | None = None
    ) -> list[Person]:
        """People whose name or role contains one of ``name_words``, summed over the matching articles."""
        with self.snapshot():
            table = self._people.table(self.connection())
        return table.people(name_words, filters, recent_since)

    # -- writes --------------------------------------------------------------------------------

    def replace_quotes(
        self, found: Sequence[tuple[str, str, FoundQuotes, Sequence[np.ndarray | None]]], state: dict[str, int]
    ) -> None:
        """For each (article id, text hash, quotes found, their vectors), replace the article's stored quotes
        and people, if the article is still stored with that text (another process may have replaced it
        meanwhile), and set ``state``."""
        with self._transaction() as db:
            for article_id, text_hash, quotes, vectors in found:
                still_stored = db.execute(
                    "SELECT 1 FROM articles WHERE id = ? AND text_hash = ?", (article_id, text_hash)
                ).fetchone()
                if still_stored:
                    quote_rows.delete(db, article_id)
                    quote_rows.insert(db, article_id, quotes, vectors)
            db.executemany(
                "INSERT INTO state VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                list(state.items()),
            )
            mark_people_changed(db)

    def commit(self, new: Sequence[NewArticle], removed_ids: Sequence[str]) -> tuple[int, np.ndarray, np.ndarray]:
        """Store ``new`` and drop ``removed_ids`` (and any older version of a new article) in one
        transaction. Returns (generation before, chunk ids removed, chunk ids added in order)."""
        with self._transaction() as db:
            before = self.generation()
            gone = list(removed_ids) + [item.article.id for item in new]
            regroup = stories.touched(db, gone)
            removed = article_rows.delete(db, gone)
            added = [article_rows.insert(db, item) for item in new]
            stories.record(db, new, regroup)
            db.execute("UPDATE state SET value = value + 1 WHERE key = 'generation'")
        added_ids = np.concatenate(added) if added else np.zeros(0, dtype=np.int64)
        return before, removed, added_ids
