"""The SQLite side of an index: articles, chunks (with their vectors, the source of truth), terms, quotes."""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np

from qa.types import Article, Chunk, Hit, Quote

SCHEMA = """
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO state VALUES ('generation', 0);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    text_hash TEXT NOT NULL,
    title TEXT NOT NULL,
    url TEXT NOT NULL,
    published TEXT NOT NULL,
    authors TEXT NOT NULL,
    source TEXT NOT NULL,
    origin TEXT NOT NULL,
    text TEXT NOT NULL,
    added TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_by_hash ON articles (text_hash);
CREATE INDEX IF NOT EXISTS articles_by_published ON articles (published);
CREATE INDEX IF NOT EXISTS articles_by_source ON articles (source COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    vector BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_by_article ON chunks (article_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_terms USING fts5 (
    title, body, tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TABLE IF NOT EXISTS quotes (
    id INTEGER PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    speaker TEXT NOT NULL,
    role TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS quotes_by_article ON quotes (article_id);
CREATE INDEX IF NOT EXISTS quotes_by_speaker ON quotes (speaker COLLATE NOCASE);
"""

HIT_COLUMNS = """c.id, c.article_id, c.start, c.end, substr(a.text, c.start + 1, c.end - c.start),
    a.title, a.url, a.published, a.source, a.authors"""


@dataclass(frozen=True)
class NewArticle:
    """An article ready to store: its chunks, their vectors (one row each), and its quotes."""

    article: Article
    text_hash: str
    chunks: Sequence[Chunk]
    vectors: np.ndarray
    quotes: Sequence[Quote] = ()


@dataclass(frozen=True)
class Filters:
    source: str | None = None
    since: str | None = None  # inclusive ISO dates
    until: str | None = None

    def __bool__(self) -> bool:
        return any((self.source, self.since, self.until))


class MetaStore:
    """Thread-safe access to meta.sqlite: one connection per thread, WAL so readers never block on a writer."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._db().executescript(f"BEGIN IMMEDIATE; {SCHEMA} COMMIT;")

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, isolation_level=None, timeout=60, check_same_thread=False)
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("PRAGMA foreign_keys = ON")
            self._local.db = db
        return db

    def _transaction(self):
        return _Transaction(self._db())

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    # -- reads ---------------------------------------------------------------------------------

    def generation(self) -> int:
        return self._db().execute("SELECT value FROM state WHERE key = 'generation'").fetchone()[0]

    def counts(self) -> dict[str, int]:
        db = self._db()
        return {
            "articles": db.execute("SELECT count(*) FROM articles").fetchone()[0],
            "chunks": db.execute("SELECT count(*) FROM chunks").fetchone()[0],
            "quotes": db.execute("SELECT count(*) FROM quotes").fetchone()[0],
        }

    def known_hashes(self, article_ids: Iterable[str]) -> dict[str, str]:
        """text_hash of each given article id that is stored."""
        ids = list(article_ids)
        found: dict[str, str] = {}
        for part in _batches(ids):
            rows = self._db().execute(
                f"SELECT id, text_hash FROM articles WHERE id IN ({_marks(part)})", part
            )
            found.update(rows)
        return found

    def ids_by_hash(self, text_hashes: Iterable[str]) -> dict[str, str]:
        """Stored article id of each given text hash that is stored."""
        hashes = list(text_hashes)
        found: dict[str, str] = {}
        for part in _batches(hashes):
            rows = self._db().execute(
                f"SELECT text_hash, id FROM articles WHERE text_hash IN ({_marks(part)})", part
            )
            found.update(rows)
        return found

    def article(self, article_id: str) -> Article | None:
        row = self._db().execute(
            "SELECT id, text, title, url, published, authors, source, origin FROM articles WHERE id = ?",
            (article_id,),
        ).fetchone()
        if row is None:
            return None
        return Article(*row[:5], authors=tuple(json.loads(row[5])), source=row[6], origin=row[7])

    def all_vectors(self, batch: int = 65536) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(chunk ids, vectors) of every stored chunk, in batches, for rebuilding the vector index."""
        last = 0
        while True:
            rows = self._db().execute(
                "SELECT id, vector FROM chunks WHERE id > ? ORDER BY id LIMIT ?", (last, batch)
            ).fetchall()
            if not rows:
                return
            ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
            vectors = np.frombuffer(b"".join(row[1] for row in rows), dtype=np.float32)
            yield ids, vectors.reshape(len(rows), -1)
            last = int(ids[-1])

    def chunk_ids_matching(self, filters: Filters) -> np.ndarray:
        where, params = _filter_clause(filters)
        rows = self._db().execute(
            f"SELECT c.id FROM chunks c JOIN articles a ON a.id = c.article_id WHERE {where}", params
        ).fetchall()
        return np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))

    def hits(self, scored: Sequence[tuple[int, float]]) -> list[Hit]:
        """Hits for (chunk id, score) pairs, in the given order; ids no longer stored are dropped."""
        by_id: dict[int, tuple] = {}
        ids = [chunk_id for chunk_id, _ in scored]
        for part in _batches(ids):
            rows = self._db().execute(
                f"SELECT {HIT_COLUMNS} FROM chunks c JOIN articles a ON a.id = c.article_id "
                f"WHERE c.id IN ({_marks(part)})",
                part,
            )
            by_id.update((row[0], row) for row in rows)
        return [_hit(by_id[chunk_id], score) for chunk_id, score in scored if chunk_id in by_id]

    # -- writes --------------------------------------------------------------------------------

    def commit(self, new: Sequence[NewArticle], removed_ids: Sequence[str]) -> tuple[int, np.ndarray, np.ndarray]:
        """Store ``new`` and drop ``removed_ids`` (and any older version of a new article) in one
        transaction. Returns (generation before, chunk ids removed, chunk ids added in order)."""
        with self._transaction() as db:
            before = self.generation()
            replaced = [item.article.id for item in new]
            removed = self._delete(db, list(removed_ids) + replaced)
            added = [self._insert(db, item) for item in new]
            db.execute("UPDATE state SET value = value + 1 WHERE key = 'generation'")
        added_ids = np.concatenate(added) if added else np.zeros(0, dtype=np.int64)
        return before, removed, added_ids

    def _insert(self, db: sqlite3.Connection, item: NewArticle) -> np.ndarray:
        article = item.article
        db.execute(
            "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                article.id, item.text_hash, article.title, article.url, article.published,
                json.dumps(list(article.authors), ensure_ascii=False), article.source, article.origin,
                article.text, datetime.now(timezone.utc).isoformat(timespec="seconds"),
            ),
        )
        ids = np.empty(len(item.chunks), dtype=np.int64)
        for row, (chunk, vector) in enumerate(zip(item.chunks, item.vectors)):
            cursor = db.execute(
                "INSERT INTO chunks (article_id, ordinal, start, end, vector) VALUES (?, ?, ?, ?, ?)",
                (article.id, chunk.ordinal, chunk.start, chunk.end, np.asarray(vector, np.float32).tobytes()),
            )
            ids[row] = cursor.lastrowid
            db.execute(
                "INSERT INTO chunk_terms (rowid, title, body) VALUES (?, ?, ?)",
                (cursor.lastrowid, article.title, chunk.text),
            )
        db.executemany(
            "INSERT INTO quotes (article_id, start, end, speaker, role) VALUES (?, ?, ?, ?, ?)",
            [(article.id, q.start, q.end, q.speaker, q.role) for q in item.quotes],
        )
        return ids

    def _delete(self, db: sqlite3.Connection, article_ids: list[str]) -> np.ndarray:
        removed: list[int] = []
        for part in _batches(article_ids):
            marks = _marks(part)
            chunk_ids = [row[0] for row in db.execute(f"SELECT id FROM chunks WHERE article_id IN ({marks})", part)]
            for ids in _batches(chunk_ids):
                db.execute(f"DELETE FROM chunk_terms WHERE rowid IN ({_marks(ids)})", ids)
            db.execute(f"DELETE FROM articles WHERE id IN ({marks})", part)  # cascades to chunks, quotes
            removed.extend(chunk_ids)
        return np.asarray(removed, dtype=np.int64)


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any error (including KeyboardInterrupt)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, kind, error, traceback) -> None:
        self.db.execute("ROLLBACK" if kind else "COMMIT")


def _hit(row: tuple, score: float) -> Hit:
    _, article_id, start, end, text, title, url, published, source, authors = row
    return Hit(
        article_id=article_id, text=text, start=start, end=end, score=float(score), title=title,
        url=url, published=published, source=source, authors=tuple(json.loads(authors)),
    )


def _filter_clause(filters: Filters) -> tuple[str, list[str]]:
    clauses, params = ["1"], []
    if filters.source:
        clauses.append("a.source = ? COLLATE NOCASE")
        params.append(filters.source)
    if filters.since:
        clauses.append("a.published >= ? AND a.published != ''")
        params.append(filters.since)
    if filters.until:
        clauses.append("a.published <= ? AND a.published != ''")
        params.append(filters.until)
    return " AND ".join(clauses), params


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" * len(values))


def _batches(values: Sequence, size: int = 900) -> Iterator[list]:
    """SQLite caps bound parameters per statement; split long IN lists."""
    for begin in range(0, len(values), size):
        yield list(values[begin : begin + size])
