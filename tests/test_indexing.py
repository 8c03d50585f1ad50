"""Quotes the index stores for quote answers: found at ingest with exact spans, backfilled for indexes built
before, re-extracted by a new extractor, replaced and deleted with their article."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

import qa.indexing
from qa.index import Index
from qa.ingest import load_articles
from qa.quotes import EXTRACTOR_VERSION
from qa.types import Article

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = ROOT / "data" / "sample"
ARTICLE_5 = "Our Article 5 commitment extends to NATO allies"

pytestmark = pytest.mark.minilm


def test_quotes_are_stored_at_ingest_with_exact_spans(sample_index_dir: Path, minilm) -> None:
    with Index.open(sample_index_dir, embedder=minilm) as index:
        quotes = index.quotes("Blinken")
        assert quotes and all(q.speaker == "Antony Blinken" for q in quotes)
        assert any(q.text.startswith(ARTICLE_5) for q in quotes)
        for quote in quotes:
            assert index.article(quote.article_id).text[quote.start:quote.end] == quote.text
        assert index.quotes("the secretary of state") == quotes
        assert [q.speaker for q in index.quotes("Biden")] == ["Joe Biden"]
        assert index.quotes("Lavrov") == []


class CountingEmbedder:
    """Wraps an embedder, counting documents embedded: a backfill embeds quote framings, never passages."""

    def __init__(self, inner) -> None:
        self.inner, self.documents = inner, 0
        self.name, self.dimension, self.max_tokens = inner.name, inner.dimension, inner.max_tokens

    def embed_documents(self, texts, *, batch_size: int = 32):
        self.documents += len(texts)
        return self.inner.embed_documents(texts, batch_size=batch_size)

    def embed_queries(self, texts):
        return self.inner.embed_queries(texts)

    def count_tokens(self, texts):
        return self.inner.count_tokens(texts)


def test_an_index_built_without_quotes_is_backfilled_without_re_embedding(tmp_path: Path, tiny_embedder) -> None:
    folder = tmp_path / "index"
    embedder = CountingEmbedder(tiny_embedder)
    with Index.open(folder, embedder=embedder, create=True) as index:
        index.add(load_articles(SAMPLE_DIR))
        stored = index.quotes("Blinken")
        speakers = sorted({q.speaker for q in index.quotes() if q.speaker})
        stored_vectors = index.store.speaker_quotes(speakers).vectors
        # as an index from before quotes were stored: no quotes, no extractor version
        db = index.store.database.connection()
        db.execute("DELETE FROM quotes")
        db.execute("DELETE FROM state WHERE key LIKE 'quotes%'")
    embedded = embedder.documents
    with Index.open(folder, embedder=embedder) as index:
        assert index.quotes_pending()
        assert index.quotes("Blinken") == []  # a read never writes: the backfill is ensure_quotes()'s
        assert index.ensure_quotes() == 1
        assert index.quotes("Blinken") == stored
        assert not index.quotes_pending() and index.store.state("quotes_version") == EXTRACTOR_VERSION
        assert index.ensure_quotes() == 0  # once only
        again = index.store.speaker_quotes(speakers)
        assert again.embedded.all() and np.allclose(again.vectors, stored_vectors, atol=1e-5)
    assert embedder.documents - embedded == len(stored_vectors)  # the quotes alone


def test_an_ingest_backfills_the_quotes_of_stored_articles_first(tmp_path: Path, tiny_embedder) -> None:
    folder = tmp_path / "index"
    with Index.open(folder, embedder=tiny_embedder, create=True) as index:
        index.add(load_articles(SAMPLE_DIR))
        stored = index.quotes("Blinken")
        index.store.database.connection().execute("DELETE FROM quotes")
        index.store.database.connection().execute("DELETE FROM state WHERE key LIKE 'quotes%'")
    with Index.open(folder, embedder=tiny_embedder) as index:
        index.add([Article(id="new", text="A new article that quotes nobody at all.")])
        assert not index.quotes_pending() and index.quotes("Blinken") == stored


def test_a_new_extractor_version_re_extracts(tmp_path: Path, tiny_embedder, monkeypatch: pytest.MonkeyPatch) -> None:
    with Index.open(tmp_path / "index", embedder=tiny_embedder, create=True) as index:
        index.add(load_articles(SAMPLE_DIR))
        assert not index.quotes_pending()
        monkeypatch.setattr(qa.indexing, "EXTRACTOR_VERSION", EXTRACTOR_VERSION + 1)
        assert index.quotes_pending()
        assert index.ensure_quotes() == 1
        assert index.store.state("quotes_version") == EXTRACTOR_VERSION + 1
        assert len(index.quotes()) == index.store.counts()["quotes"] > 0


def test_replacing_or_deleting_an_article_replaces_or_deletes_its_quotes(tmp_path: Path, tiny_embedder) -> None:
    first = Article(id="a", text='“We will defend every inch of NATO territory,” Blinken said on Tuesday.')
    second = Article(id="a", text='“Sanctions will follow any invasion of Ukraine,” Lavrov said on Friday.')
    with Index.open(tmp_path / "index", embedder=tiny_embedder, create=True) as index:
        index.add([first])
        assert [q.speaker for q in index.quotes()] == ["Blinken"]
        index.add([second])
        assert [(q.speaker, q.text) for q in index.quotes()] == [("Lavrov", "Sanctions will follow any invasion of Ukraine,")]
        index.delete(["a"])
        assert index.quotes() == []


def test_people_and_quote_vectors_follow_their_article(tmp_path: Path, tiny_embedder) -> None:
    first = Article(id="a", published="2022-01-02", text=(
        "Secretary of State Antony Blinken spoke.\n\n“We will defend every inch of NATO territory,” Blinken said."))
    second = Article(id="a", published="2022-01-05", text=(
        "Foreign Minister Sergey Lavrov spoke.\n\n“Sanctions will follow any invasion of Ukraine,” Lavrov said."))
    with Index.open(tmp_path / "index", embedder=tiny_embedder, create=True) as index:
        index.add([first])
        people = index.store.people(["Blinken"])
        assert [(p.name, p.role, p.articles, p.quotes, p.first_seen) for p in people] == [
            ("Antony Blinken", "Secretary of State", 1, 1, "2022-01-02")]
        stored = index.store.speaker_quotes(["Antony Blinken"])
        assert stored.embedded.tolist() == [True] and "Blinken spoke" in stored.framings[0]
        assert np.isclose(np.linalg.norm(stored.vectors[0]), 1.0, atol=1e-3)
        index.add([second])
        assert index.store.people(["Blinken"]) == [] and index.store.speaker_quotes(["Antony Blinken"]).quotes == []
        assert index.resolve_speaker("the foreign minister").name == "Sergey Lavrov"
        index.delete(["a"])
        assert index.store.people(["Lavrov"]) == []


def test_an_index_from_before_quote_vectors_gains_the_columns_and_a_backfill(tmp_path: Path, tiny_embedder) -> None:
    folder = tmp_path / "index"
    with Index.open(folder, embedder=tiny_embedder, create=True) as index:
        index.add(load_articles(SAMPLE_DIR))
        stored = index.quotes()
    db = sqlite3.connect(folder / "meta.sqlite")
    with db:  # the quotes table as version 2 of the extractor left it
        db.execute("DROP TABLE quotes")
        db.execute("DROP TABLE people")
        db.execute("CREATE TABLE quotes (id INTEGER PRIMARY KEY, article_id TEXT NOT NULL REFERENCES articles (id) "
                   "ON DELETE CASCADE, start INTEGER NOT NULL, end INTEGER NOT NULL, speaker TEXT NOT NULL, "
                   "role TEXT NOT NULL)")
        db.execute("UPDATE state SET value = 2 WHERE key = 'quotes_version'")
    db.close()
    with Index.open(folder, embedder=tiny_embedder) as index:
        assert index.quotes_pending() and index.quotes() == []
        assert index.ensure_quotes() == 1
        assert index.quotes() == stored
        assert index.resolve_speaker("Blinken").name == "Antony Blinken"


def test_planning_batches_ahead_of_their_commits_decides_as_committing_each_in_turn(
    tmp_path: Path, tiny_embedder
) -> None:
    """qa.indexing_ray plans a window of batches before committing any: the Planner counts the batches in
    flight as stored, so an id planned in one batch is replaced, or skipped, in a later one as if it had
    been committed; the same text under another id is a copy, stored as its own article."""
    old, new = "The council met on Monday to vote. " * 3, "The council met on Tuesday instead. " * 3
    seeded = [Article(id="a", text=old), Article(id="kept", text="A story stored before. " * 3)]
    items = [
        Article(id="a", text=new),  # replaces a's stored text
        Article(id="b", text=old),  # a's old text, free once a is replaced
        Article(id="c", text=new),  # a's new text under another id: a copy of that story, stored
        Article(id="kept", text="A story stored before. " * 3),  # stored already
        Article(id="d", text="Fresh news from the harbor. " * 3),
        Article(id="d", text="Fresher news from the harbor. " * 3),  # replaces the d planned before
    ]
    reports, stored = [], []
    for name in ("in-turn", "ahead"):
        with Index.open(tmp_path / name, embedder=tiny_embedder, create=True) as index:
            index.add(seeded)
            store, chunking = index.store, index.store.manifest.chunking
            if name == "in-turn":
                report = qa.indexing.add_articles(store, tiny_embedder, items, embed_batch=8, commit_chunks=1)
            else:
                tally = qa.indexing.Tally()
                planner = qa.indexing.Planner(store, tally)
                planned = [planner.fresh(batch) for batch in qa.indexing.batches(items, tally, 1)]
                for fresh in planned:
                    new_articles = qa.indexing.prepare(fresh, chunking=chunking, embedder=tiny_embedder, embed_batch=8)
                    qa.indexing.commit(store, new_articles, tally)
                    planner.committed(fresh)
                store.save()
                report = tally.report(0.0)
            reports.append((report.added, report.replaced, report.skipped, report.chunks))
            stored.append(sorted((article.id, article.text) for _, _, article in store.articles_after(0, 100)))
    assert reports[0] == reports[1] == (3, 2, 1, reports[0][3])
    assert stored[0] == stored[1]
    assert [article_id for article_id, _ in stored[0]] == ["a", "b", "c", "d", "kept"]
