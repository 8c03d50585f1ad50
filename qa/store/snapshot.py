"""A consistent copy of an index folder, taken while other threads or processes may be writing to it
(`qa snapshot`).

meta.sqlite is copied with SQLite's online backup, which reads one committed state while writers carry
on (WAL). vectors.faiss comes along whenever it is whole: it may hold other chunks than that state (it is
rewritten only once enough has changed, and a save may replace it meanwhile), and the copy's first open
adds and removes what differs by chunk id, as every open does. The keywords/ build comes along only when
it holds exactly the chunks of that state; otherwise the copy's first open rebuilds it from SQLite. Nothing
is re-embedded. The copy is assembled beside the destination and renamed into
place at the end; the source folder is only read.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from contextlib import closing
from dataclasses import asdict, dataclass, replace
from pathlib import Path


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
    vectors_copied: bool  # False: the copy's first open builds vectors.faiss from its SQLite
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
        kind = _copy_vectors(folder, temp)
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


def _copy_vectors(folder: Path, temp: Path) -> str | None:
    """The kind of the vector index copied, or None when there is no whole one to copy."""
    try:
        shutil.copyfile(folder / VECTORS, temp / VECTORS)
    except FileNotFoundError:
        return None
    # A chunk id is never reused and its vector never changes (a changed article gets new chunks), so a
    # file of another generation than the copied SQLite is only ahead or behind by ids, which the copy's
    # first open reconciles. A save replaces the file by a rename, so the copy is one whole file.
    copied = VectorIndex.load(temp / VECTORS)
    if copied is None:
        (temp / VECTORS).unlink()
        return None
    return copied.kind
