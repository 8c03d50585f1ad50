"""Ingesting hostile articles twice changes nothing, and every stored span is exact."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hostile_text import article_texts, hostile_texts
from hypothesis import example, given, settings
from hypothesis import strategies as st

from qa.index import Index
from qa.indexing import passages
from qa.types import Article, content_id, lone_surrogate

articles = st.lists(
    st.builds(
        lambda id, text, title: Article(id=id or content_id(text), text=text, title=title.strip()),
        st.sampled_from(["", "", "a1", "a2", "\u202eא"]),
        article_texts(max_pieces=30),
        hostile_texts(max_pieces=4),
    ),
    min_size=1,
    max_size=4,
)


def stored(index: Index, ids: set[str]) -> tuple:
    """Everything an ingest could change, but the time it last saved."""
    counts = {key: value for key, value in index.stats().items() if key != "updated"}
    rows = index.store.database.connection().execute(
        "SELECT id, article_id, ordinal, start, end FROM chunks ORDER BY id"
    ).fetchall()
    return counts, {i: index.article(i) for i in ids}, index.quotes(), rows


def assert_spans_exact(index: Index, rows: list[tuple]) -> None:
    """Stored chunks are the article's chunks as cut now, and SQLite's substr (which hits read through)
    gives the same characters as Python's slice, NUL and astral characters included."""
    by_article: dict[str, list[tuple[int, int]]] = {}
    for _, article_id, _, start, end in rows:
        by_article.setdefault(article_id, []).append((start, end))
    for article_id, spans in by_article.items():
        article = index.article(article_id)
        chunks, _ = passages(article, chunking=index.store.manifest.chunking, embedder=index.embedder)
        assert spans == [(c.start, c.end) for c in chunks]
    with index.store.view() as view:
        hits = view.hits([(row[0], 0.0) for row in rows])
    assert len(hits) == len(rows)
    for hit in hits:
        assert index.article(hit.article_id).text[hit.start : hit.end] == hit.text


@settings(max_examples=10)
@given(articles)
@example([
    # Stored, SQLite's substr gave the passage as "A": it stops at a NUL. Now refused, like a NUL in a file.
    Article(id="nul", text="A\x00B said: “x\u0301 👨\u200d👩\u200d👧 y.”\r\n\u2028Next \U0010ffff line."),
    Article(id="surrogate", text="A \ud800 B"),  # raised UnicodeEncodeError from the fingerprint
    Article(id="fine", text="\u202eשלום said: “x\u0301 👨\u200d👩\u200d👧 y.”\r\n\u2028Next \U0010ffff line."),
])  # fmt: skip
def test_ingesting_twice_changes_nothing(tiny_embedder, articles: list[Article]) -> None:
    refused = [article.id for article in articles if "\0" in article.text or lone_surrogate(article.text) is not None]
    with tempfile.TemporaryDirectory() as folder, Index.open(
        Path(folder) / "ix", embedder=tiny_embedder, create=True
    ) as index:
        first = index.add(articles)
        assert [error.origin for error in first.failed] == refused
        assert first.added + first.skipped == len(articles) - len(refused)
        ids = {article.id for article in articles}
        before = stored(index, ids)
        again = index.add(articles)
        assert (again.added, again.replaced, again.chunks) == (0, 0, 0)
        assert (again.skipped, len(again.failed)) == (len(articles) - len(refused), len(refused))
        assert stored(index, ids) == before
        assert_spans_exact(index, before[3])
        for quote in before[2]:
            assert index.article(quote.article_id).text[quote.start : quote.end] == quote.text
