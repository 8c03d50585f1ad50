"""The FAISS side of an index: vectors keyed by chunk id. The only module that imports faiss.

The index type follows the collection's size:
  * below FLAT_LIMIT vectors, a scan of every vector stored as 16-bit floats (IndexIDMap2 over an
    fp16 IndexScalarQuantizer): at this size it answers in a few milliseconds and needs no training.
    Against float32 (IndexFlatIP) it halves the memory a query reads, which is what bounds the scan:
    on RealTime QA's 37,796 vectors a query took 1.30 ms instead of 3.23, two side by side 0.71 ms
    each instead of 1.97, with the same 100 nearest chunks for 199 of 200 queries and cosines moved
    by at most 5e-5 (bench/vector_scan.py, BENCHMARKS.md);
  * from FLAT_LIMIT on, an inverted file with 8-bit scalar quantization (IndexIVFScalarQuantizer):
    384 bytes per 384-d vector instead of 1,536, and each query scans only the nprobe nearest lists.
HNSW would search as fast, but FAISS cannot remove ids from it, and replacing or deleting articles
must stay cheap; IVF removes in place. The IVF index is trained on a sample of the stored vectors and
rebuilt from scratch (from SQLite, the source of truth) when the collection outgrows its list count.

8-bit codes blur the small score gaps between close neighbours, so the IVF index proposes a few times
k candidates and their float32 vectors, read back from SQLite by primary key, rank them exactly.
"""

from __future__ import annotations

import contextlib
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import faiss
import numpy as np

from qa.store.files import replace_atomically

FLAT = "flat-fp16"  # inner product over unit vectors (cosine), each scanned, stored as fp16
FLAT_LIMIT = 100_000  # vectors from which the IVF index replaces exact search
TRAINING_POINTS_PER_LIST = 40  # FAISS's k-means wants at least 39 points per centroid
SCANNED_SHARE = 1 / 64  # lists probed per query, as a share of nlist: sets the recall/latency trade-off
MIN_PROBES = 16
RESCORED_PER_RESULT = 4  # candidates re-scored exactly per result asked for
MIN_RESCORED = 40

VectorBatches = Callable[[], Iterable[tuple[np.ndarray, np.ndarray]]]  # (ids, vectors) batches, re-readable
VectorLookup = Callable[[np.ndarray], np.ndarray]  # the stored float32 vectors of chunk ids, in their order


@dataclass(frozen=True)
class Plan:
    """The index type that suits a collection size."""

    nlist: int  # 0 for exact search

    @property
    def kind(self) -> str:
        return f"ivf{self.nlist}-sq8" if self.nlist else FLAT

    @classmethod
    def for_size(cls, count: int) -> "Plan":
        if count < FLAT_LIMIT:
            return cls(0)
        # About 4·√n lists, a power of two: lists of a few hundred vectors that stay short as n grows.
        return cls(2 ** round(math.log2(4 * math.sqrt(count))))

    def fits(self, count: int) -> bool:
        """Whether an index of this plan still suits ``count`` vectors. The bands overlap, so a
        collection hovering around a boundary does not trigger rebuild after rebuild."""
        if not self.nlist:
            return count < FLAT_LIMIT
        wanted = Plan.for_size(max(count, FLAT_LIMIT)).nlist
        return count >= FLAT_LIMIT // 2 and self.nlist // 2 <= wanted <= self.nlist * 2


class VectorIndex:
    """Cosine search over unit vectors with deletes by chunk id, exact or IVF by collection size."""

    def __init__(self, index: faiss.Index, plan: Plan, lookup: VectorLookup | None = None) -> None:
        self._index = index
        self.plan = plan
        self._lookup = lookup  # where exact vectors come from; without it IVF scores stay approximate

    @property
    def kind(self) -> str:
        return self.plan.kind

    @classmethod
    def empty(cls, dimension: int) -> "VectorIndex":
        scan = faiss.IndexScalarQuantizer(dimension, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT)
        return cls(faiss.IndexIDMap2(scan), Plan(0))

    @classmethod
    def build(
        cls, dimension: int, count: int, batches: VectorBatches, lookup: VectorLookup | None = None
    ) -> "VectorIndex":
        """An index suited to ``count`` vectors, filled from ``batches`` (read twice when training)."""
        plan = Plan.for_size(count)
        with _all_cores():
            if plan.nlist:
                index = cls(_trained_ivf(dimension, plan.nlist, _sample(batches(), count, plan)), plan, lookup)
            else:
                index = cls.empty(dimension)
            for ids, vectors in batches():
                index.add(ids, vectors)
        return index

    @classmethod
    def load(cls, path: Path, lookup: VectorLookup | None = None) -> "VectorIndex | None":
        """The saved index, or None if it has an older layout (float32 exact scan) to be rebuilt."""
        index = faiss.read_index(str(path))
        ivf = faiss.try_extract_index_ivf(index)
        if ivf:
            return cls(index, Plan(ivf.nlist), lookup)
        if isinstance(faiss.downcast_index(faiss.downcast_index(index).index), faiss.IndexFlat):
            return None
        return cls(index, Plan(0), lookup)

    def save(self, path: Path) -> None:
        replace_atomically(path, lambda temp: faiss.write_index(self._index, temp))

    @property
    def dimension(self) -> int:
        return int(self._index.d)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def ids(self) -> np.ndarray:
        """The chunk ids held, ascending."""
        ivf = faiss.try_extract_index_ivf(self._index)
        if ivf:
            lists = ivf.invlists
            sizes = [lists.list_size(number) for number in range(ivf.nlist)]
            held = [faiss.rev_swig_ptr(lists.get_ids(number), size).copy() for number, size in enumerate(sizes) if size]
            found = np.concatenate(held) if held else np.zeros(0, np.int64)
        else:
            found = faiss.vector_to_array(faiss.downcast_index(self._index).id_map)
        return np.sort(found.astype(np.int64))

    def fits(self) -> bool:
        """Whether this index still suits its own size; if not, the store rebuilds it."""
        return self.plan.fits(len(self))

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids):
            self._index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids.astype(np.int64))

    def remove(self, ids: np.ndarray) -> None:
        if len(ids):
            self._index.remove_ids(np.asarray(ids, dtype=np.int64))

    def search(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Scores and chunk ids, best first, shape (queries, k); missing slots have id -1.

        ``allowed`` restricts the search to those chunk ids (metadata filters)."""
        k = max(1, min(k, len(self)))
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        # Searches are single queries, served side by side by a server's threads, so each scans on one
        # OpenMP thread; a second one only waits: a lone fp16 scan used 2.8 ms of CPU for 1.5 ms of
        # wall time with two. The setting belongs to the calling thread; building uses every core.
        faiss.omp_set_num_threads(1)
        params = self._search_parameters(allowed)
        if not self.plan.nlist or self._lookup is None:
            return self._index.search(queries, k, params=params)
        candidates = min(len(self), max(MIN_RESCORED, RESCORED_PER_RESULT * k))
        _, ids = self._index.search(queries, candidates, params=params)
        return _rescored(queries, ids, k, self._lookup)

    def _search_parameters(self, allowed: np.ndarray | None) -> faiss.SearchParameters | None:
        selector = None
        if allowed is not None:
            selector = faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64))
        if not self.plan.nlist:
            return faiss.SearchParameters(sel=selector) if selector else None
        probes = max(MIN_PROBES, round(self.plan.nlist * SCANNED_SHARE))
        if allowed is not None:
            # A filter keeping a share s of the vectors leaves ~s of each list: probe 1/s times as
            # many lists, so about as many candidates pass as without the filter.
            share = max(len(allowed) / max(len(self), 1), 1e-9)
            probes = math.ceil(probes / share)
        return faiss.SearchParametersIVF(sel=selector, nprobe=min(self.plan.nlist, probes))


@contextlib.contextmanager
def _all_cores():
    previous = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(previous)


def _rescored(
    queries: np.ndarray, candidates: np.ndarray, k: int, lookup: VectorLookup
) -> tuple[np.ndarray, np.ndarray]:
    scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
    ids = np.full((len(queries), k), -1, dtype=np.int64)
    for row, (query, found) in enumerate(zip(queries, candidates)):
        found = found[found >= 0]
        exact = lookup(found) @ query
        best = np.argsort(-exact, kind="stable")[:k]
        scores[row, : len(best)], ids[row, : len(best)] = exact[best], found[best]
    return scores, ids


def _sample(batches: Iterable[tuple[np.ndarray, np.ndarray]], count: int, plan: Plan) -> np.ndarray:
    """Every n-th stored vector, enough to train the plan's centroids and quantizer ranges."""
    wanted = min(count, TRAINING_POINTS_PER_LIST * plan.nlist)
    stride = max(1, count // wanted)
    picked, seen = [], 0
    for _, vectors in batches:
        first = (-seen) % stride  # row of this batch that continues the stride across batches
        picked.append(vectors[first::stride])
        seen += len(vectors)
    return np.ascontiguousarray(np.concatenate(picked)[:wanted], dtype=np.float32)


def _trained_ivf(dimension: int, nlist: int, sample: np.ndarray) -> faiss.Index:
    coarse = faiss.IndexFlatIP(dimension)
    index = faiss.IndexIVFScalarQuantizer(
        coarse, dimension, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
    )
    index.cp.seed = 1234  # the same vectors give the same index
    index.train(sample)
    return index
