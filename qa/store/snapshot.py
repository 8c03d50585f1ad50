"""A consistent copy of an index folder, taken while other threads or processes may be writing to it
(`qa snapshot`).

meta.sqlite is copied with SQLite's online backup, which reads one committed state while writers carry
on (WAL). vectors.faiss and the keywords/ build come along only when they hold exactly the chunks of
that state; otherwise the copy goes without them and its first open rebuilds them from SQLite without
re-embedding, as after a killed ingest. The copy is assembled beside the destination and renamed into
place at the end; the source folder is only read.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from contextlib import closing
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from qa.errors import QAError
from qa.store.database import Database
from qa.store.files import new_folder_atomically, write_json_atomically
from qa.store.keywords import copy_build
from qa.store.manifest import MANIFEST, now, read_manifest
from qa.store.store import META, VECTORS
from qa.store.vectors import VectorIndex


@dataclass(frozen=True)
class SnapshotReport:
    """What a snapshot copied."""

    destination: str
    generation: int  # the SQLite generation (committed state) the copy holds
    articles: int
    chunks: int
    quotes: int
    vectors_copied: bool  # False: the copy's first open rebuilds vectors.faiss from its SQLite
    keywords_copied: bool  # False: the same for the BM25 index
    seconds: float

    def to_dict(self) -> dict:
        return asdict(self)


def snapshot(folder: str | Path, destination: str | Path) -> SnapshotReport:
    """Copy the index at ``folder`` into the new folder ``destination``, as of one committed state."""
    started = time.perf_counter()
    folder, destination = Path(folder), Path(destination)
    source = read_manifest(folder)
    if destination.resolve().is_relative_to(folder.resolve()):
        raise QAError(f"{destination}: inside the index it would copy; choose a folder outside {folder}")
    with new_folder_atomically(destination) as temp:
        _back_up(folder / META, temp / META)
        database = Database(temp / META)
        try:
            generation, counts, chunk_ids = database.generation(), database.counts(), database.chunk_table().ids
        finally:
            database.close()
        kind = _copy_vectors(folder, temp, generation, chunk_ids)
        keywords_copied = copy_build(folder, generation, chunk_ids, temp)
        manifest = replace(
            source, generation=generation, articles=counts["articles"], chunks=counts["chunks"],
            vector_index=kind or source.vector_index, updated=now(),
        )
        write_json_atomically(temp / MANIFEST, manifest.to_dict())
    return SnapshotReport(
        str(destination), generation, counts["articles"], counts["chunks"], counts["quotes"],
        vectors_copied=kind is not None, keywords_copied=keywords_copied,
        seconds=round(time.perf_counter() - started, 3),
    )


def _back_up(source: Path, target: Path) -> None:
    # In one step (pages=-1) the backup reads every page in one read transaction, so it sees one
    # committed state; a later step would restart whenever another connection wrote meanwhile. The
    # source is opened read-only, so this process never checkpoints or otherwise changes it.
    try:
        with closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=60)) as reader:
            with closing(sqlite3.connect(target)) as writer:
                reader.backup(writer, pages=-1)
    except sqlite3.Error as error:
        raise QAError(f"{source}: cannot be copied ({error})") from None


def _copy_vectors(folder: Path, temp: Path, generation: int, chunk_ids: np.ndarray) -> str | None:
    """The kind of the vector index copied, or None when the saved one is not of ``generation``."""
    if read_manifest(folder).generation != generation:
        return None
    try:
        shutil.copyfile(folder / VECTORS, temp / VECTORS)
    except FileNotFoundError:
        return None
    # A save replaces vectors.faiss before the manifest that vouches for it, so a manifest read before
    # and after the copy can still vouch for a newer file. Its ids can tell: a chunk id is never reused
    # and its vector never changes (a changed article gets new chunks), so the same ids mean the same vectors.
    copied = VectorIndex.load(temp / VECTORS)
    if copied is None or not np.array_equal(copied.ids(), chunk_ids):
        (temp / VECTORS).unlink()
        return None
    return copied.kind
