"""The FAISS side of an index: vectors keyed by chunk id. The only module that imports faiss."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

from qa.store.files import replace_atomically

FLAT = "flat-ip"  # exact inner product over unit vectors, i.e. cosine


class VectorIndex:
    """Exact cosine search over unit vectors, with deletes by chunk id."""

    kind = FLAT

    def __init__(self, index: faiss.Index) -> None:
        self._index = index

    @classmethod
    def empty(cls, dimension: int) -> "VectorIndex":
        return cls(faiss.IndexIDMap2(faiss.IndexFlatIP(dimension)))

    @classmethod
    def load(cls, path: Path) -> "VectorIndex":
        return cls(faiss.read_index(str(path)))

    def save(self, path: Path) -> None:
        replace_atomically(path, lambda temp: faiss.write_index(self._index, temp))

    @property
    def dimension(self) -> int:
        return int(self._index.d)

    def __len__(self) -> int:
        return int(self._index.ntotal)

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
        params = None
        if allowed is not None:
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64)))
        k = max(1, min(k, len(self)))
        return self._index.search(np.ascontiguousarray(queries, dtype=np.float32), k, params=params)
