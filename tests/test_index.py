"""Index behaviour end to end: add, skip, replace, delete, reopen, filters, errors."""

from __future__ import annotations

import numpy as np
import pytest

from qa.errors import QAError
from qa.index import Index
from qa.types import Article, Filters, IngestError

WORDS = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar".split()


def article(number: int, *, text: str | None = None, source: str = "Daily", published: str = "2022-01-10") -> Article:
    rng = np.random.default_rng(number)
    body = text or ". ".join(" ".join(rng.choice(WORDS, 12)) for _ in range(6)) + "."
    return Article(id=f"a{number}", text=body, title=f"Story {number}", source=source, published=published)


@pytest.fixture()
def index(tmp_path, tiny_embedder):
    with Index.open(tmp_path / "ix", embedder=tiny_embedder, create=True) as opened:
        yield opened


def stored_ids(index: Index) -> set[str]:
    hits = index.search("alpha bravo", k=1000)
    return {hit.article_id for hit in hits}


def test_add_then_search_returns_hits_with_metadata_and_exact_spans(index):
    report = index.add([article(1), article(2)])
    assert (report.added, report.skipped, report.replaced) == (2, 0, 0)
    assert report.chunks >= 2
    hits = index.search("alpha", k=3)
    assert hits and hits[0].title.startswith("Story")
    for hit in hits:
        assert index.article(hit.article_id).text[hit.start : hit.end] == hit.text
        assert hit.source == "Daily" and hit.published == "2022-01-10"


def test_reingest_skips_same_id_and_keeps_same_text_under_new_id_as_a_copy(index):
    index.add([article(1)])
    again = index.add([article(1), Article(id="copy", text=article(1).text.upper(), title="Copy")])
    assert (again.added, again.skipped) == (1, 1)
    assert index.stats()["articles"] == 2
    assert index.stories_of(["a1", "copy"]) == {"a1": "a1", "copy": "a1"}


def test_changed_text_replaces_old_chunks(index):
    index.add([article(1)])
    before = index.stats()["chunks"]
    report = index.add([article(1, text="An entirely new text about zebras and volcanoes.")])
    assert (report.replaced, report.added) == (1, 0)
    assert index.article("a1").text.startswith("An entirely new text")
    hits = index.search("zebras", k=50)
    assert {h.text for h in hits} == {"An entirely new text about zebras and volcanoes."}
    assert index.stats()["chunks"] == 1 != before or before == 1


def test_delete_removes_article_and_vectors(index):
    index.add([article(1), article(2)])
    assert index.delete(["a1", "nope"]) == 1
    assert stored_ids(index) == {"a2"}
    assert index.article("a1") is None
    assert len(index.store._vectors) == index.stats()["chunks"]


def test_reopen_gives_same_hits_without_reembedding(tmp_path, tiny_embedder):
    folder = tmp_path / "ix"
    with Index.open(folder, embedder=tiny_embedder, create=True) as index:
        index.add([article(n) for n in range(5)])
        first = index.search("charlie delta", k=5)
    with Index.open(folder, embedder=tiny_embedder) as reopened:
        again = reopened.search("charlie delta", k=5)
        report = reopened.add([article(n) for n in range(5)])
    assert [(h.article_id, h.start, round(h.score, 5)) for h in first] == [
        (h.article_id, h.start, round(h.score, 5)) for h in again
    ]
    assert report.skipped == 5 and report.chunks == 0


def test_faiss_top_k_equals_brute_force(index, tiny_embedder):
    index.add([article(n) for n in range(20)])
    ids, vectors = zip(*index.store.database.all_vectors())
    ids, vectors = np.concatenate(ids), np.concatenate(vectors)
    query = tiny_embedder.embed_queries(["golf hotel india"])[0]
    brute = dict(zip(ids.tolist(), (vectors @ query).tolist()))
    scores, found = index.store._vectors.search(query.reshape(1, -1), 10)
    # Random tiny-model vectors score close together, so compare scores rather than tie order; the
    # index stores vectors as fp16, which moves a cosine by less than 1e-3.
    np.testing.assert_allclose(scores[0], sorted(brute.values(), reverse=True)[:10], atol=1e-3)
    np.testing.assert_allclose([brute[i] for i in found[0]], scores[0], atol=1e-3)
    assert len(set(found[0].tolist())) == 10


def test_filters_on_source_and_dates(index):
    index.add([
        article(1, source="Examiner", published="2022-01-05"),
        article(2, source="Herald", published="2022-01-20"),
        article(3, source="Herald", published=""),
    ])
    assert {h.article_id for h in index.search("alpha", k=50, filters=Filters(source="herald"))} == {"a2", "a3"}
    assert {h.article_id for h in index.search("alpha", k=50, filters=Filters(since="2022-01-10"))} == {"a2"}
    assert {h.article_id for h in index.search("alpha", k=50, filters=Filters(until="2022-01-10"))} == {"a1"}
    assert index.search("alpha", k=5, filters=Filters(source="Nobody")) == []


@pytest.mark.parametrize(
    ("query", "k", "since", "message"),
    [("   ", 5, None, "empty query"), ("x", 0, None, "k must be"), ("x", 5, "21/01/2022", "not a date")],
)
def test_bad_queries_are_clear_errors(index, query, k, since, message):
    with pytest.raises(QAError, match=message):
        index.search(query, k, filters=Filters(since=since))


def test_failures_are_counted_and_the_rest_is_ingested(index):
    report = index.add([IngestError("news/x.jsonl:3", "invalid JSON"), article(1)])
    assert report.added == 1 and [str(e) for e in report.failed] == ["news/x.jsonl:3: invalid JSON"]


def test_opening_with_another_model_names_both(tmp_path, tiny_embedder):
    folder = tmp_path / "ix"
    Index.open(folder, embedder=tiny_embedder, create=True).close()
    with pytest.raises(QAError, match=r"built with model '.*tiny-st', not 'other-model'"):
        Index.open(folder, model="other-model")


def test_opening_a_newer_format_fails_clearly(tmp_path, tiny_embedder):
    import json

    folder = tmp_path / "ix"
    Index.open(folder, embedder=tiny_embedder, create=True).close()
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["format_version"] = 99
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(QAError, match="index format 99 is newer"):
        Index.open(folder)


def test_missing_index_is_a_clear_error(tmp_path):
    with pytest.raises(QAError, match="not an index"):
        Index.open(tmp_path / "nothing")


def test_manifest_records_model_dimension_chunking_and_counts(index):
    index.add([article(1), article(2)])
    manifest = index.store.manifest
    assert manifest.dimension == 32 and manifest.model.endswith("tiny-st")
    assert (manifest.articles, manifest.chunks) == (2, index.stats()["chunks"])
    assert manifest.chunking.chunk_tokens == 256


def test_stale_vector_file_is_rebuilt_from_sqlite(tmp_path, tiny_embedder):
    folder = tmp_path / "ix"
    with Index.open(folder, embedder=tiny_embedder, create=True) as index:
        index.add([article(1), article(2)])
        expected = [h.article_id for h in index.search("alpha", k=5)]
    (folder / "vectors.faiss").unlink()
    with Index.open(folder, embedder=tiny_embedder) as reopened:
        assert [h.article_id for h in reopened.search("alpha", k=5)] == expected


def test_a_second_process_view_picks_up_new_commits(tmp_path, tiny_embedder):
    folder = tmp_path / "ix"
    with Index.open(folder, embedder=tiny_embedder, create=True) as writer, Index.open(
        folder, embedder=tiny_embedder
    ) as reader:
        writer.add([article(1)])
        assert stored_ids(reader) == {"a1"}
        writer.delete(["a1"])
        reader.add([article(2)])  # the reader's vectors must resync before it applies its own commit
        assert stored_ids(reader) == {"a2"}
        assert stored_ids(writer) == {"a2"}


def keyword_ids(index: Index, query: str) -> set[str]:
    return {hit.article_id for hit in index.search(query, k=50, mode="bm25")}


def test_keyword_search_follows_adds_replacements_and_deletes(index):
    index.add([article(1, text="Zebras crossed the volcano road."), article(2, text="Penguins walked on ice.")])
    assert keyword_ids(index, "zebra") == {"a1"}
    index.add([article(1, text="Giraffes crossed the volcano road.")])
    assert keyword_ids(index, "zebra") == set() and keyword_ids(index, "giraffe") == {"a1"}
    index.delete(["a2"])
    assert keyword_ids(index, "penguin") == set()


def test_a_missing_or_stale_keyword_index_is_rebuilt_from_sqlite(tmp_path, tiny_embedder):
    folder = tmp_path / "ix"
    with Index.open(folder, embedder=tiny_embedder, create=True) as index:
        index.add([article(1), article(2, text="Zebras crossed the volcano road.")])
        saved = sorted((folder / "keywords").iterdir())
    for build in saved:
        for file in build.rglob("*"):
            file.unlink() if file.is_file() else None
    with Index.open(folder, embedder=tiny_embedder) as reopened:
        assert keyword_ids(reopened, "zebra") == {"a2"}


def test_a_second_process_view_sees_new_keywords(tmp_path, tiny_embedder):
    folder = tmp_path / "ix"
    with Index.open(folder, embedder=tiny_embedder, create=True) as writer, Index.open(
        folder, embedder=tiny_embedder
    ) as reader:
        assert keyword_ids(reader, "zebra") == set()
        writer.add([article(1, text="Zebras crossed the volcano road.")])
        assert keyword_ids(reader, "zebra") == {"a1"}
        writer.delete(["a1"])
        assert keyword_ids(reader, "zebra") == set()


def test_a_second_process_view_loads_the_saved_vectors_instead_of_rebuilding(tmp_path, tiny_embedder, monkeypatch):
    from qa.store import vectors

    folder = tmp_path / "ix"
    with Index.open(folder, embedder=tiny_embedder, create=True) as writer, Index.open(
        folder, embedder=tiny_embedder
    ) as reader:
        writer.add([article(1), article(2)])  # commits, then saves vectors.faiss and the manifest
        builds = []
        real_build = vectors.VectorIndex.build
        monkeypatch.setattr(vectors.VectorIndex, "build", lambda *a, **k: builds.append(1) or real_build(*a, **k))
        assert stored_ids(reader) == {"a1", "a2"}
        assert builds == []
