"""The articles, pages and chunks tables of meta.sqlite: a new article's rows written (its quotes and people
too, through qa.store.quote_rows), articles deleted with everything that hangs off them, and rows read back
as articles and hits."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Sequence

import numpy as np

from qa.store import quote_rows
from qa.store.sql import batches, marks
from qa.types import Article, Chunk, FoundQuotes, Hit

SCHEMA = """
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
CREATE TABLE IF NOT EXISTS pages (article_id TEXT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE, starts TEXT);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    vector BLOB NOT NULL
);
-- Also covers what ranking reads of every chunk (ids, articles, places) without the vectors beside them.
CREATE INDEX IF NOT EXISTS chunks_by_article_place ON chunks (article_id, ordinal);
DROP INDEX IF EXISTS chunks_by_article;
-- Indexes before keywords/ kept their BM25 terms in SQLite FTS5: no longer read or written.
DROP TABLE IF EXISTS chunk_terms;
"""

# A PDF passage's pages: its article's page starts (pages, a JSON list) before its end; those up to its
# start count its first page, as types.page_at does, and the others begin inside it.
PAGE_STARTS = """(SELECT json_group_array(s.value) FROM pages p, json_each(p.starts) s
    WHERE p.article_id = a.id AND s.value < c.end)"""
HIT_COLUMNS = f"""c.id, c.article_id, c.start, c.end, substr(a.text, c.start + 1, c.end - c.start),
    a.title, a.url, a.published, a.source, a.authors, {PAGE_STARTS}"""


@dataclass(frozen=True)
class NewArticle:
    """An article ready to store: its chunks, their vectors (one row each), its quotes and people, the
    quotes' vectors (aligned with ``found.quotes``; None for a quote not embedded), and its story signature
    (stories.signature; None leaves it out of the story grouping)."""

    article: Article
    text_hash: str
    chunks: Sequence[Chunk]
    vectors: np.ndarray
    found: FoundQuotes = FoundQuotes()
    quote_vectors: Sequence[np.ndarray | None] = ()
    signature: np.ndarray | None = None


def insert(db: sqlite3.Connection, item: NewArticle) -> np.ndarray:
    """Write the rows of ``item``; returns the ids of its chunks, in order."""
    article = item.article
    db.execute(
        "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            article.id, item.text_hash, article.title, article.url, article.published,
            json.dumps(list(article.authors), ensure_ascii=False), article.source, article.origin,
            article.text, datetime.now(timezone.utc).isoformat(timespec="seconds"),
        ),
    )
    db.executemany("INSERT INTO pages VALUES (?, ?)", [(article.id, json.dumps(article.pages))] if article.pages else [])
    ids = np.empty(len(item.chunks), dtype=np.int64)
    for row, (chunk, vector) in enumerate(zip(item.chunks, item.vectors)):
        cursor = db.execute(
            "INSERT INTO chunks (article_id, ordinal, start, end, vector) VALUES (?, ?, ?, ?, ?)",
            (article.id, chunk.ordinal, chunk.start, chunk.end, np.asarray(vector, np.float32).tobytes()),
        )
        ids[row] = cursor.lastrowid
    quote_rows.insert(db, article.id, item.found, item.quote_vectors)
    return ids


def delete(db: sqlite3.Connection, article_ids: list[str]) -> np.ndarray:
    """Delete these articles; returns the ids of the chunks that went with them."""
    removed: list[int] = []
    for part in batches(article_ids):
        part_marks = marks(part)
        chunk_ids = [row[0] for row in db.execute(f"SELECT id FROM chunks WHERE article_id IN ({part_marks})", part)]
        db.execute(f"DELETE FROM articles WHERE id IN ({part_marks})", part)  # cascades to chunks, quotes, people
        removed.extend(chunk_ids)
    return np.asarray(removed, dtype=np.int64)


def article(db: sqlite3.Connection, article_id: str) -> Article | None:
    row = db.execute(
        "SELECT id, text, title, url, published, authors, source, origin, "
        "(SELECT starts FROM pages WHERE pages.article_id = articles.id) FROM articles WHERE id = ?",
        (article_id,),
    ).fetchone()
    if row is None:
        return None
    pages = tuple(json.loads(row[8] or "[]"))
    return Article(*row[:5], authors=tuple(json.loads(row[5])), source=row[6], origin=row[7], pages=pages)


def articles_after(db: sqlite3.Connection, rowid: int, limit: int) -> list[tuple[int, str, Article]]:
    """(rowid, text hash, article) of up to ``limit`` stored articles after ``rowid``, in rowid order."""
    rows = db.execute(
        "SELECT rowid, text_hash, id, text, title, url, published, authors, source, origin FROM articles "
        "WHERE rowid > ? ORDER BY rowid LIMIT ?",
        (rowid, limit),
    ).fetchall()
    return [
        (row[0], row[1], Article(*row[2:7], authors=tuple(json.loads(row[7])), source=row[8], origin=row[9]))
        for row in rows
    ]


def hits(db: sqlite3.Connection, scored: Sequence[tuple[int, float]]) -> list[Hit]:
    """Hits for (chunk id, score) pairs, in the given order; ids no longer stored are dropped."""
    by_id: dict[int, tuple] = {}
    ids = [chunk_id for chunk_id, _ in scored]
    for part in batches(ids):
        rows = db.execute(
            f"SELECT {HIT_COLUMNS} FROM chunks c JOIN articles a ON a.id = c.article_id "
            f"WHERE c.id IN ({marks(part)})",
            part,
        )
        by_id.update((row[0], row) for row in rows)
    return [_hit(by_id[chunk_id], score) for chunk_id, score in scored if chunk_id in by_id]


def _hit(row: tuple, score: float) -> Hit:
    _, article_id, start, end, text, title, url, published, source, authors, page_starts = row
    starts = json.loads(page_starts)
    return Hit(
        article_id=article_id, text=text, start=start, end=end, score=float(score), title=title,
        url=url, published=published, source=source, authors=tuple(json.loads(authors)),
        page=sum(offset <= start for offset in starts) or None, page_starts=tuple(o for o in starts if o > start),
    )
