"""The in-memory chunk facts: looked up by chunk id, following commits, and the same as SQLite's."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from qa.store import Chunking, NewArticle, Store
from qa.store.chunk_table import ChunkFacts, ChunkTable, NewChunks
from qa.types import Article, Chunk, Filters

ROWS = [(1, "a", 0, "2022-06-10"), (2, "a", 1, "2022-06-10"), (5, "b", 0, ""), (9, "c", 0, "2022-06-14")]


def test_facts_of_stored_chunks_only() -> None:
    table = ChunkTable.from_rows(ROWS)
    assert table.facts([9, 2, 3, 0, 10]) == {9: ChunkFacts("c", 0, "2022-06-14"), 2: ChunkFacts("a", 1, "2022-06-10")}
    assert ChunkTable.empty().facts([1, 2]) == {}
    assert table.facts([]) == {}


def test_changes_remove_chunks_and_add_new_ones_after_the_others() -> None:
    table = ChunkTable.from_rows(ROWS).with_changes(
        np.array([1, 2], dtype=np.int64),
        [NewChunks(np.array([10, 11], dtype=np.int64), article_id="a", published="2022-07-01", ordinals=[0, 1])],
    )
    assert len(table) == 4
    assert table.facts([1, 2, 5, 10, 11]) == {
        5: ChunkFacts("b", 0, ""), 10: ChunkFacts("a", 0, "2022-07-01"), 11: ChunkFacts("a", 1, "2022-07-01"),
    }


def test_articles_no_chunk_refers_to_are_dropped_as_they_pile_up() -> None:
    table = ChunkTable.from_rows(ROWS)
    for version in range(200):  # an article replaced again and again, as a live feed does
        latest = 100 + version
        table = table.with_changes(
            np.array([latest - 1], dtype=np.int64),
            [NewChunks(np.array([latest], dtype=np.int64), article_id="d", published=f"v{version}", ordinals=[0])],
        )
    assert len(table.article_ids) < 100
    assert table.facts([299, 1, 9]) == {
        299: ChunkFacts("d", 0, "v199"), 1: ChunkFacts("a", 0, "2022-06-10"), 9: ChunkFacts("c", 0, "2022-06-14"),
    }


def test_store_keeps_its_table_equal_to_what_sqlite_holds(tmp_path: Path) -> None:
    store = Store.create(
        tmp_path / "index", model="m", dimension=4, chunking=Chunking(256, 32, 48), embedding_backend="torch",
        vector_space="m",
    )
    store.commit([_article("a", 3, "2022-01-01"), _article("b", 2, "")])
    store.commit([_article("a", 1, "2022-02-02"), _article("c", 2, "2022-03-03")], removed_ids=["b"])
    with store.view() as view:
        held = view.chunk_facts(range(1, 20))
    assert sorted(fact.article_id for fact in held.values()) == ["a", "c", "c"]
    assert {fact.published for fact in held.values() if fact.article_id == "a"} == {"2022-02-02"}
    with Store.open(tmp_path / "index").view() as reopened:
        assert reopened.chunk_facts(range(1, 20)) == held  # read from SQLite


def _article(article_id: str, chunks: int, published: str) -> NewArticle:
    text = "x" * chunks
    vectors = np.eye(4, dtype=np.float32)[np.arange(chunks) % 4]
    return NewArticle(
        Article(id=article_id, text=text, published=published), f"{article_id}{chunks}{published}",
        [Chunk(article_id, n, n, n + 1, "x") for n in range(chunks)], vectors,
    )


def test_dated_chunks_are_those_the_sql_filter_allows(tmp_path: Path) -> None:
    store = Store.create(
        tmp_path / "index", model="m", dimension=4, chunking=Chunking(256, 32, 48), embedding_backend="torch",
        vector_space="m",
    )
    store.commit([_article("a", 3, "2022-01-01"), _article("b", 2, ""), _article("c", 2, "2022-03-03T10:00"),
                  _article("d", 1, "2022-03-03")])
    store.commit([_article("a", 2, "2022-02-02")], removed_ids=["d"])
    dates = ["2022-01-01", "2022-02-02", "2022-03-03", "2022-03-04", "2021-12-31"]
    cases = [Filters()] + [Filters(**{key: day}) for key in ("since", "until", "as_of") for day in dates]
    cases += [Filters(since="2022-02-01", until="2022-03-03"), Filters(since="2022-01-01", as_of="2022-03-03")]
    with store.view() as view:
        for filters in cases:
            dated = view.chunk_ids_matching(filters)
            assert dated.tolist() == store.database.chunk_ids_matching(filters).tolist(), filters
        assert view.chunk_ids_matching(Filters(as_of="2022-01-15")).tolist() == store.database.chunk_ids_matching(
            Filters(as_of="2022-01-15")).tolist() != []
    table = ChunkTable.from_rows(ROWS)
    assert table.dated(Filters(source="Harbor Times")) is None  # the outlet is SQLite's to filter
    assert table.dated(Filters(as_of="2022-06-12")).tolist() == [1, 2, 5]
    assert table.dated(Filters(since="2022-06-12")).tolist() == [9]
    assert ChunkTable.empty().dated(Filters(until="2022-06-12")).tolist() == []
