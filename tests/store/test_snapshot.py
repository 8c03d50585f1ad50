"""qa snapshot: the copy searches exactly like its source, holds one committed state even while another
thread or process writes, appears whole or not at all, and leaves the source as it was."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import numpy as np
import pytest

from qa.config import Settings
from qa.errors import QAError
from qa.index import Index
from qa.store import Store
from qa.store.snapshot import snapshot
from qa.types import Article

ROOT = Path(__file__).resolve().parent.parent.parent
TOPICS = "harbour strike wheat harvest bridge repair election count vaccine trial river flood".split()
# Several chunks an article, and several commits an add, so a torn copy would show.
SMALL = Settings(chunk_tokens=40, overlap_tokens=0, commit_chunks=2)
QUERIES = ["harbour strike", "who said the bridge", "wheat harvest 7", "flood"]


def story(number: int) -> Article:
    rng = np.random.default_rng(number)
    sentences = [f"The {' '.join(rng.choice(TOPICS, 4))} report number {number} came in." for _ in range(8)]
    sentences.insert(3, f'"We will repair the bridge by spring {number}," said Mayor Anna Berg.')
    return Article(id=f"s{number}", title=f"Report {number}", text=" ".join(sentences), published="2022-05-01")


def built(folder: Path, embedder, numbers) -> Path:
    with Index.open(folder, embedder=embedder, settings=SMALL, create=True) as index:
        index.add([story(n) for n in numbers])
    return folder


def digests(folder: Path) -> dict[str, str]:
    """Every file of an index folder and its content, but SQLite's reader files (-wal, -shm), which any
    reader of a WAL database creates."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.name.endswith(("-wal", "-shm"))
    }


def results(index: Index) -> list:
    return [
        [(hit.article_id, hit.start, hit.end, round(hit.score, 6)) for hit in index.search(query, k=10, mode=mode)]
        for mode in ("hybrid", "dense", "bm25") for query in QUERIES
    ]


def chunks_per_article(folder: Path) -> dict[str, int]:
    with sqlite3.connect(folder / "meta.sqlite") as db:
        return dict(db.execute("SELECT article_id, count(*) FROM chunks GROUP BY article_id"))


def assert_one_committed_state(copy: Path, embedder, final: dict[str, int]) -> None:
    """The copy opens; its SQLite, vectors and keywords hold the same chunks; it holds the first m stories
    of those written in order, each with all its chunks (``final``: chunks per article once all were in)."""
    stored = chunks_per_article(copy)
    with Index.open(copy, embedder=embedder) as index:
        chunk_ids = index.store.database.chunk_table().ids
        assert np.array_equal(index.store._vectors.ids(), chunk_ids)
        assert np.array_equal(np.sort(index.store._keywords.chunk_ids), chunk_ids)
        assert index.stats()["articles"] == len(stored) and index.stats()["chunks"] == len(chunk_ids)
        assert {hit.article_id for hit in index.search("report", k=1000, mode="bm25")} == set(stored)
    assert set(stored) == {f"s{n}" for n in range(len(stored))}
    assert stored == {article: final[article] for article in stored}


def test_a_snapshot_of_a_quiet_index_searches_like_it_and_leaves_it_untouched(tmp_path, tiny_embedder):
    source = built(tmp_path / "ix", tiny_embedder, range(12))
    before = digests(source)
    report = snapshot(source, tmp_path / "copy")
    assert digests(source) == before
    assert (report.articles, report.vectors_copied, report.keywords_copied) == (12, True, True)
    copied = digests(tmp_path / "copy")
    with Index.open(source, embedder=tiny_embedder) as one, Index.open(tmp_path / "copy", embedder=tiny_embedder) as other:
        counts = {key: one.stats()[key] for key in ("articles", "chunks", "quotes")}
        assert counts == {key: other.stats()[key] for key in counts} == {
            "articles": report.articles, "chunks": report.chunks, "quotes": report.quotes
        }
        assert report.chunks > 2 * report.articles and report.quotes >= report.articles
        assert results(one) == results(other) and any(results(one))
        assert all(one.article(f"s{n}") == other.article(f"s{n}") for n in range(12))
        assert one.quotes("Anna Berg") == other.quotes("Anna Berg") != []
    assert digests(tmp_path / "copy") == copied  # opening it found nothing to rebuild: the manifest fits


def test_vectors_behind_sqlite_come_along_and_keywords_are_rebuilt_on_open(tmp_path, tiny_embedder, monkeypatch):
    source = built(tmp_path / "ix", tiny_embedder, range(4))
    with monkeypatch.context() as patch, Index.open(source, embedder=tiny_embedder) as index:
        patch.setattr(Store, "save", lambda self: None)  # as if killed between commit and save
        index.add([story(n) for n in range(4, 8)])
    report = snapshot(source, tmp_path / "copy")
    assert (report.articles, report.vectors_copied, report.keywords_copied) == (8, True, False)
    assert not (tmp_path / "copy" / "keywords").exists()
    with Index.open(source, embedder=tiny_embedder) as one, Index.open(tmp_path / "copy", embedder=tiny_embedder) as other:
        assert results(one) == results(other)
    assert_one_committed_state(tmp_path / "copy", tiny_embedder, chunks_per_article(source))


def test_a_vectors_file_of_other_chunks_than_the_copied_sqlite_is_reconciled_on_open(tmp_path, tiny_embedder):
    """vectors.faiss lags behind SQLite by design, and a save may replace it during the copy: whatever
    chunks it holds, the copy's first open adds and removes what differs from the copied SQLite."""
    source = built(tmp_path / "ix", tiny_embedder, range(4))
    older = (source / "vectors.faiss").read_bytes()
    with Index.open(source, embedder=tiny_embedder) as index:
        index.add([story(4)])
    (source / "vectors.faiss").write_bytes(older)
    report = snapshot(source, tmp_path / "copy")
    assert (report.articles, report.vectors_copied, report.keywords_copied) == (5, True, True)
    with Index.open(tmp_path / "copy", embedder=tiny_embedder) as copy:
        assert "s4" in {hit.article_id for hit in copy.search("report number 4", k=100, mode="dense")}
    assert_one_committed_state(tmp_path / "copy", tiny_embedder, chunks_per_article(source))


class SlowEmbedder:
    """The tiny model, a little slower per batch, so that writes and snapshots overlap."""

    def __init__(self, embedder) -> None:
        self._embedder = embedder

    def __getattr__(self, name: str):
        return getattr(self._embedder, name)

    def embed_documents(self, texts, *, batch_size: int = 32):
        threading.Event().wait(0.02)
        return self._embedder.embed_documents(texts, batch_size=batch_size)


def test_snapshots_taken_while_a_thread_writes_each_hold_one_committed_state(tmp_path, tiny_embedder):
    folder = built(tmp_path / "ix", tiny_embedder, range(2))
    copies: list[Path] = []
    with Index.open(folder, embedder=SlowEmbedder(tiny_embedder), settings=SMALL) as index:
        def write() -> None:
            for first in range(2, 38, 3):  # each add commits a few times, then saves
                index.add([story(n) for n in range(first, first + 3)])

        writer = threading.Thread(target=write)
        writer.start()
        while writer.is_alive():
            copies.append(tmp_path / f"copy{len(copies)}")
            snapshot(folder, copies[-1])
        writer.join()
    final = chunks_per_article(folder)
    assert len(final) == 38
    states = {len(chunks_per_article(copy)) for copy in copies}
    assert len(states) >= 3, states  # the snapshots did overlap the writes
    for copy in copies:
        assert_one_committed_state(copy, tiny_embedder, final)


def test_a_snapshot_by_another_process_while_this_one_writes(tmp_path, tiny_embedder):
    folder = built(tmp_path / "ix", tiny_embedder, range(2))
    copy = tmp_path / "copy"
    with Index.open(folder, embedder=tiny_embedder, settings=SMALL) as index:
        process = subprocess.Popen(
            [sys.executable, "-m", "qa.cli", "snapshot", str(copy), "--index", str(folder), "--json"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        written = 2
        while process.poll() is None or written < 4:  # writes before, during and after the copy
            index.add([story(written)])
            written += 1
        out, err = process.communicate()
    assert process.returncode == 0, err
    report = json.loads(out)
    assert report["destination"] == str(copy) and 2 <= report["articles"] < written
    assert_one_committed_state(copy, tiny_embedder, chunks_per_article(folder))


def test_an_existing_destination_is_refused_and_nothing_is_written(tmp_path, tiny_embedder):
    source = built(tmp_path / "ix", tiny_embedder, range(2))
    (tmp_path / "copy").mkdir()
    with pytest.raises(QAError, match="already exists"):
        snapshot(source, tmp_path / "copy")
    with pytest.raises(QAError, match="inside the index"):
        snapshot(source, source / "copy")
    with pytest.raises(QAError, match="not an index"):
        snapshot(tmp_path / "copy", tmp_path / "other")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["copy", "ix"]
    assert not any((tmp_path / "copy").iterdir()) and not (source / "copy").exists()


def test_a_failed_snapshot_leaves_no_destination_and_the_source_intact(tmp_path, tiny_embedder, monkeypatch):
    source = built(tmp_path / "ix", tiny_embedder, range(3))
    before = digests(source)

    def broken(*args):
        raise OSError("disk full")

    monkeypatch.setattr("qa.store.snapshot.copy_build", broken)
    with pytest.raises(OSError, match="disk full"):
        snapshot(source, tmp_path / "copy")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["ix"]  # the temporary folder went too
    assert digests(source) == before


KILLED_SNAPSHOT = textwrap.dedent(
    """
    import sys, time
    from qa.store import snapshot as module

    def stuck(*args):
        print("copying", flush=True)
        time.sleep(600)

    module.copy_build = stuck  # SQLite and vectors.faiss are copied by then
    module.snapshot(sys.argv[1], sys.argv[2])
    """
)


def test_a_snapshot_killed_midway_leaves_no_destination_and_the_source_intact(tmp_path, tiny_embedder):
    source = built(tmp_path / "ix", tiny_embedder, range(3))
    before = digests(source)
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED_SNAPSHOT, str(source), str(tmp_path / "copy")],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert process.stdout.readline().strip() == "copying", process.stderr.read()
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    left = [path for path in tmp_path.iterdir() if path.name != "ix"]
    assert len(left) == 1 and left[0].name.startswith(".copy.")  # only the hidden temporary folder
    assert (left[0] / "meta.sqlite").is_file()  # it was killed midway
    assert digests(source) == before
    assert snapshot(source, tmp_path / "copy").articles == 3
    with Index.open(source, embedder=tiny_embedder) as one, Index.open(tmp_path / "copy", embedder=tiny_embedder) as other:
        assert results(one) == results(other)
