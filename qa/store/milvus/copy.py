"""A local index copied into a Milvus store without re-embedding anything: its passages with their vectors,
quotes with theirs, people and story signatures (the target groups them again), read from meta.sqlite."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import numpy as np

from qa.store.article_rows import NewArticle
from qa.types import Chunk, FoundQuotes, PersonSeen, Quote

if TYPE_CHECKING:
    from qa.store.milvus.store import MilvusStore
    from qa.store.store import Store

ARTICLES_PER_COMMIT = 100


def copy_local(source: Store, target: MilvusStore, *, on_progress: Callable[[int], None] | None = None) -> int:
    """Every article of ``source`` written to ``target`` (an upsert: a re-run writes the same rows); returns
    how many. ``source`` is read in one SQLite snapshot per batch."""
    if source.manifest.dimension != target.manifest.dimension:
        raise ValueError(f"{source.location} holds {source.manifest.dimension}-d vectors, "
                         f"{target.location} {target.manifest.dimension}-d")
    copied, rowid = 0, 0
    while rows := source.articles_after(rowid, ARTICLES_PER_COMMIT):
        with source.database.snapshot():
            new = [_stored(source, text_hash, article.id) for _, text_hash, article in rows]
        target.commit([item for item in new if item is not None])
        copied, rowid = copied + len(rows), rows[-1][0]
        if on_progress:
            on_progress(len(rows))
    target.save()
    return copied


def _stored(source: Store, text_hash: str, article_id: str) -> NewArticle | None:
    article = source.article(article_id)  # with its pages, which articles_after leaves out
    if article is None:
        return None
    db = source.database.connection()
    chunks = db.execute(
        "SELECT ordinal, start, end, vector FROM chunks WHERE article_id = ? ORDER BY ordinal", (article_id,)
    ).fetchall()
    quotes = db.execute(
        "SELECT start, end, speaker, role, frame_start, frame_end, vector FROM quotes WHERE article_id = ? "
        "ORDER BY start, id", (article_id,)
    ).fetchall()
    people = db.execute("SELECT name, role, quotes FROM people WHERE article_id = ? ORDER BY rowid", (article_id,))
    signature = db.execute("SELECT signature FROM story_signatures WHERE article_id = ?", (article_id,)).fetchone()
    vectors = np.array([np.frombuffer(row[3], np.float32) for row in chunks], np.float32)
    found = FoundQuotes(
        quotes=tuple(Quote(article_id, start, end, article.text[start:end], speaker, role)
                     for start, end, speaker, role, *_ in quotes),
        frames=tuple((row[4], row[5]) for row in quotes) if all(row[4] is not None for row in quotes) else (),
        people=tuple(PersonSeen(*row) for row in people),
    )
    return NewArticle(
        article=article, text_hash=text_hash,
        chunks=[Chunk(article_id, ordinal, start, end, article.text[start:end]) for ordinal, start, end, _ in chunks],
        vectors=vectors.reshape(len(chunks), source.manifest.dimension), found=found,
        quote_vectors=[None if row[6] is None else np.frombuffer(row[6], np.float32) for row in quotes],
        signature=None if signature is None else np.frombuffer(signature[0], np.uint32),
    )
