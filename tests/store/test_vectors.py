"""The vector index: its type follows the collection's size, IVF keeps deletes and filters working,
and its answers stay close to exact search on clustered vectors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qa.store import Chunking, NewArticle, Store
from qa.store.vectors import FLAT, FLAT_LIMIT, Plan, VectorIndex, _trained_ivf
from qa.types import Article, Chunk

DIMENSION = 32


def clustered(count: int, *, seed: int, topics: int = 200) -> np.ndarray:
    """Unit vectors around topic centres, each topic spread in a few directions of its own, as
    sentence embeddings are (bench/scale.py's generator, in fewer dimensions): not uniform noise,
    which no index could search better than by scanning."""
    centres = np.random.default_rng(0).standard_normal((topics, DIMENSION))
    spreads = 0.35 * np.random.default_rng(1).standard_normal((topics, 4, DIMENSION))
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, topics, count)
    vectors = centres[labels] + np.einsum("nk,nkd->nd", rng.standard_normal((count, 4)), spreads[labels])
    vectors += 0.5 * rng.standard_normal((count, DIMENSION))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def batches_of(vectors: np.ndarray, size: int = 25_000):
    """A re-readable source of (ids, vectors) batches, like Database.all_vectors."""
    ids = np.arange(len(vectors), dtype=np.int64) + 1  # chunk ids start at 1 in SQLite

    def read():
        for start in range(0, len(vectors), size):
            yield ids[start : start + size], vectors[start : start + size]

    return read


@pytest.fixture(scope="module")
def collection() -> np.ndarray:
    return clustered(FLAT_LIMIT + 20_000, seed=1)


def lookup_in(vectors: np.ndarray):
    """Stored vectors by chunk id, like Database.vectors_of."""
    return lambda ids: vectors[np.asarray(ids) - 1]


@pytest.fixture(scope="module")
def ivf(collection: np.ndarray) -> VectorIndex:
    return VectorIndex.build(DIMENSION, len(collection), batches_of(collection), lookup_in(collection))


def exact_top(collection: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    scores = queries @ collection.T
    return np.argsort(-scores, axis=1)[:, :k] + 1


def test_plan_is_exact_below_the_limit_and_ivf_with_more_lists_as_it_grows() -> None:
    assert Plan.for_size(0).kind == Plan.for_size(FLAT_LIMIT - 1).kind == FLAT
    assert Plan.for_size(FLAT_LIMIT).kind == "ivf1024-sq8"
    assert Plan.for_size(1_000_000).kind == "ivf4096-sq8"
    assert Plan.for_size(10_000_000).kind == "ivf16384-sq8"


def test_plan_fits_with_hysteresis_so_sizes_near_a_boundary_do_not_flap() -> None:
    flat, ivf = Plan.for_size(0), Plan.for_size(FLAT_LIMIT)
    assert flat.fits(FLAT_LIMIT - 1) and not flat.fits(FLAT_LIMIT)
    assert ivf.fits(FLAT_LIMIT - 1) and ivf.fits(FLAT_LIMIT // 2)  # shrinking a little keeps the IVF index
    assert not ivf.fits(FLAT_LIMIT // 2 - 1)
    assert ivf.fits(4 * FLAT_LIMIT) and not ivf.fits(40 * FLAT_LIMIT)  # 10× the size wants 3× the lists


def test_factory_builds_a_full_scan_for_a_small_collection_as_good_as_exact_search() -> None:
    vectors = clustered(5_000, seed=3)
    index = VectorIndex.build(DIMENSION, len(vectors), batches_of(vectors))
    assert index.kind == FLAT and len(index) == 5_000 and index.fits()
    queries = clustered(50, seed=4)
    scores, ids = index.search(queries, 10)
    np.testing.assert_array_equal(ids, exact_top(vectors, queries, 10))
    exact = np.take_along_axis(queries @ vectors.T, ids - 1, axis=1)
    np.testing.assert_allclose(scores, exact, atol=1e-3)  # fp16 storage


def test_factory_builds_ivf_from_the_limit_on(ivf: VectorIndex, collection: np.ndarray) -> None:
    assert ivf.kind == "ivf1024-sq8" and len(ivf) == len(collection) and ivf.fits()


def test_ivf_recall_against_exact_search_on_clustered_vectors(ivf: VectorIndex, collection: np.ndarray) -> None:
    queries = clustered(200, seed=3)
    _, found = ivf.search(queries, 10)
    truth = exact_top(collection, queries, 10)
    recall = np.mean([len(set(f) & set(t)) / 10 for f, t in zip(found, truth)])
    assert recall >= 0.95, recall


def test_ivf_deletes_remove_ids_for_good(collection: np.ndarray, tmp_path: Path) -> None:
    index = VectorIndex.build(DIMENSION, len(collection), batches_of(collection), lookup_in(collection))
    queries = collection[:50]
    scores, before = index.search(queries, 1)
    assert list(before[:, 0]) == list(range(1, 51))  # each vector finds itself, scored exactly
    np.testing.assert_allclose(scores[:, 0], 1.0, atol=1e-5)
    index.remove(np.arange(1, 51))
    assert len(index) == len(collection) - 50
    index.save(tmp_path / "vectors.faiss")
    loaded = VectorIndex.load(tmp_path / "vectors.faiss", lookup_in(collection))
    assert loaded.kind == index.kind and len(loaded) == len(index)
    _, after = loaded.search(queries, 10)
    assert not set(after.ravel()) & set(range(1, 51))


@pytest.mark.parametrize("nlist", [0, 4])
def test_ids_are_the_chunk_ids_held_after_removals_and_a_reload(nlist: int, tmp_path: Path) -> None:
    vectors = clustered(400, seed=3)
    ids = np.arange(400, dtype=np.int64) * 3 + 5
    index = VectorIndex(_trained_ivf(DIMENSION, nlist, vectors), Plan(nlist)) if nlist else VectorIndex.empty(DIMENSION)
    index.add(ids, vectors)
    index.remove(ids[::7])
    index.save(tmp_path / "vectors.faiss")
    loaded = VectorIndex.load(tmp_path / "vectors.faiss")
    assert loaded.kind == index.kind
    assert np.array_equal(index.ids(), np.setdiff1d(ids, ids[::7])) and np.array_equal(loaded.ids(), index.ids())


def test_ivf_filtered_search_still_fills_k_from_a_small_allowed_set(ivf: VectorIndex, collection: np.ndarray) -> None:
    allowed = np.arange(1, len(collection) + 1, 1_000)  # 0.1% of the collection
    queries = clustered(20, seed=4)
    scores, ids = ivf.search(queries, 10, allowed)
    assert set(ids.ravel()) <= set(allowed)
    assert (ids >= 0).all()  # probing more lists under a tight filter still finds k
    truth = exact_top(collection[allowed - 1], queries, 10)
    recall = np.mean([len(set(f) & set(allowed[t - 1])) / 10 for f, t in zip(ids, truth)])
    assert recall >= 0.9, recall


def test_store_switches_index_type_as_it_grows_and_shrinks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A small limit stands in for a large collection; the code path is the same.
    monkeypatch.setattr("qa.store.vectors.FLAT_LIMIT", 2_000)
    store = _new_store(tmp_path / "index")
    vectors = clustered(3_000, seed=5)
    store.commit([_article(f"a{n}", vectors[n * 100 : (n + 1) * 100]) for n in range(15)])
    store.save()
    assert store.manifest.vector_index == FLAT
    store.commit([_article(f"b{n}", vectors[1_500 + n * 100 : 1_600 + n * 100]) for n in range(15)])
    store.save()
    assert store.manifest.vector_index.startswith("ivf")
    assert nearest(store, vectors[2_999])[0][1] > 0.98

    store.commit([], [f"a{n}" for n in range(15)] + [f"b{n}" for n in range(10)])  # down to 500 chunks
    store.save()
    assert store.manifest.vector_index == FLAT and store.counts()["chunks"] == 500
    reopened = Store.open(tmp_path / "index")
    assert reopened.manifest.vector_index == FLAT and nearest(reopened, vectors[2_999])[0][1] > 0.999


def test_an_index_saved_with_float32_vectors_is_rebuilt_as_fp16_on_open(tmp_path: Path) -> None:
    import faiss

    store = _new_store(tmp_path / "index")
    vectors = clustered(300, seed=6)
    store.commit([_article(f"a{n}", vectors[n * 100 : (n + 1) * 100]) for n in range(3)])
    store.save()
    older = faiss.IndexIDMap2(faiss.IndexFlatIP(DIMENSION))  # the layout indexes had before fp16
    older.add_with_ids(vectors, np.arange(1, 301, dtype=np.int64))
    faiss.write_index(older, str(tmp_path / "index" / "vectors.faiss"))

    reopened = Store.open(tmp_path / "index")
    assert [chunk for chunk, _ in nearest(reopened, vectors[150])] == [151]
    saved = faiss.read_index(str(tmp_path / "index" / "vectors.faiss"))
    assert isinstance(faiss.downcast_index(saved.index), faiss.IndexScalarQuantizer) and saved.ntotal == 300


def _new_store(folder: Path) -> Store:
    return Store.create(
        folder, model="m", dimension=DIMENSION, chunking=Chunking(256, 32, 48), embedding_backend="torch",
        vector_space="m",
    )


def _article(article_id: str, vectors: np.ndarray) -> NewArticle:
    text = " ".join(f"w{n}" for n in range(len(vectors)))
    chunks = [Chunk(article_id, n, 0, 1, text[:1]) for n in range(len(vectors))]
    return NewArticle(Article(id=article_id, text=text), article_id, chunks, vectors)


def nearest(store: Store, vector: np.ndarray) -> list[tuple[int, float]]:
    with store.view() as view:
        return view.nearest(vector, 1)
