"""The store a location names: a folder is the local index (qa.store.store), milvus://HOST:PORT/COLLECTION a
Milvus collection (qa.store.milvus)."""

from __future__ import annotations

from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, ContextManager, Iterator

if TYPE_CHECKING:
    from qa.store.manifest import Chunking
    from qa.store.protocol import StoreBackend
    from qa.store.writelock import WaitCallback

MILVUS_SCHEME = "milvus://"


def is_milvus(location: str | Path) -> bool:
    return str(location).startswith(MILVUS_SCHEME)


def store_exists(location: str | Path) -> bool:
    if is_milvus(location):
        from qa.store.milvus import MilvusStore

        return MilvusStore.exists(str(location))
    from qa.store.store import Store

    return Store.exists(location)


def open_store(location: str | Path) -> StoreBackend:
    if is_milvus(location):
        from qa.store.milvus import MilvusStore

        return MilvusStore.open(str(location))
    from qa.store.store import Store

    return Store.open(location)


def create_store(
    location: str | Path, *, model: str, dimension: int, chunking: Chunking, embedding_backend: str, vector_space: str
) -> StoreBackend:
    from qa.store.milvus import MilvusStore
    from qa.store.store import Store

    kind = MilvusStore if is_milvus(location) else Store
    return kind.create(
        str(location) if is_milvus(location) else location, model=model, dimension=dimension, chunking=chunking,
        embedding_backend=embedding_backend, vector_space=vector_space,
    )


def creating(location: str | Path, on_wait: WaitCallback | None = None) -> ContextManager[None]:
    """Held while a new store is made, so that two first ingests make one: the folder's write lock; for
    Milvus nothing (creating a collection that exists fails, and MilvusStore.create makes the others
    only after it)."""
    return nullcontext() if is_milvus(location) else _folder_locked(Path(location), on_wait)


@contextmanager
def _folder_locked(folder: Path, on_wait: WaitCallback | None) -> Iterator[None]:
    from qa.store.writelock import WriteLock

    folder.mkdir(parents=True, exist_ok=True)
    with WriteLock(folder).hold(on_wait=on_wait):
        yield
