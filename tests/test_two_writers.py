"""Two processes writing to one index: serialized by the folder's write lock (qa/store/writelock.py), or
a server's write refused with one line naming the holder; never a lost or doubled article."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qa.errors import IndexBusyError
from qa.index import Index
from qa.server.api import create_api
from qa.server.service import IndexService
from qa.store.keywords import KeywordIndex
from qa.store.vectors import VectorIndex
from qa.store.writelock import WriteLock
from qa.types import Article
from writer_processes import ROOT, Holder, racing_ingests, story, waiting_ingest

# Takes the write lock, says so, and keeps it until its stdin closes (or it is killed).
HOLD_SCRIPT = """
import sys
from qa.store.writelock import WriteLock
with WriteLock(sys.argv[1]).hold():
    print("held", flush=True)
    sys.stdin.read()
"""


@pytest.fixture()
def index(tmp_path, exported_model):
    with Index.open(tmp_path / "ix", model=exported_model, create=True) as opened:
        opened.add([Article(id=f"old{n}", title=f"Old {n}", text=story(100 + n)) for n in range(3)])
        yield opened


def files_agree(folder: Path) -> dict[str, int]:
    """What SQLite holds, checked against the files as the last writer left them (no repair on open)."""
    with sqlite3.connect(folder / "meta.sqlite") as db:
        articles = db.execute("SELECT count(*) FROM articles").fetchone()[0]
        chunks = db.execute("SELECT count(*) FROM chunks").fetchone()[0]
        generation = db.execute("SELECT value FROM state WHERE key = 'generation'").fetchone()[0]
        # A doubled article: its passages committed twice (ids are unique; the same text under two ids is
        # two copies of one story, stored as such).
        doubled = db.execute("SELECT count(*) FROM chunks GROUP BY article_id, ordinal HAVING count(*) > 1").fetchall()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    keywords = KeywordIndex.load_newest(folder)
    assert not doubled
    assert (manifest["generation"], manifest["articles"], manifest["chunks"]) == (generation, articles, chunks)
    assert len(VectorIndex.load(folder / "vectors.faiss")) == chunks
    assert (keywords.generation, len(keywords.chunk_ids)) == (generation, chunks)
    return {"articles": articles, "chunks": chunks}


def test_two_processes_ingesting_overlapping_articles_at_once_store_each_exactly_once(tmp_path, exported_model):
    folder = tmp_path / "ix"
    processes = racing_ingests(str(folder), exported_model, tmp_path / "ready")
    reports = []
    for process in processes:
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        reports.append(json.loads(out))

    assert sum(report["added"] for report in reports) == 50
    assert sum(report["skipped"] for report in reports) == 15
    assert files_agree(folder)["articles"] == 50
    with Index.open(folder) as index:
        texts = [index.article(id_) for id_ in {f"a{n}" for n in range(30)} | {f"b{n}" for n in range(15, 35)}]
        assert sorted(article.text for article in texts if article) == sorted(
            [story(n) for n in range(30)] + [story(n) for n in range(15, 35)]
        )
        stories = index.stories_of([f"{outlet}{n}" for outlet in "ab" for n in range(15, 30)])
        assert all(stories[f"a{n}"] == stories[f"b{n}"] for n in range(15, 30))


def test_cli_waits_for_the_holder_and_a_server_write_is_refused_naming_it(tmp_path, index):
    folder = index.store.folder
    news = tmp_path / "news.jsonl"
    news.write_text(json.dumps({"id": "late", "title": "Late", "text": story(7)}) + "\n", encoding="utf-8")
    holder = Holder(HOLD_SCRIPT, str(folder), tmp_path)
    try:
        waiting = waiting_ingest(news, str(folder), "--index", holder, seconds=30)
        ingest, stderr = waiting.process, waiting.stderr

        service = IndexService(index, write_wait=0.3)
        began = time.monotonic()
        with pytest.raises(IndexBusyError) as refused:
            service.add([Article(id="upload", title="Upload", text=story(8))])
        assert 0.3 <= time.monotonic() - began < 3
        assert re.fullmatch(rf"the index is busy: hold\.py \(pid {holder.pid} on [^\n]+", str(refused.value))

        api = TestClient(create_api(service))
        for reply in (api.delete("/articles/old1"), api.post("/articles", json=[{"id": "u2", "text": story(9)}])):
            assert reply.status_code == 409
            assert reply.json() == {"error": str(refused.value)}
        assert index.stats()["articles"] == 3
        assert ingest.poll() is None  # still waiting
    finally:
        holder.release()
    assert ingest.wait(timeout=30) == 0, "".join(stderr)
    assert "added 1," in ingest.stdout.read()
    assert len([line for line in stderr if "waiting" in line]) == 1
    assert index.article("late") is not None and index.delete(["old1"], wait=0) == 1


def test_a_killed_holder_blocks_no_one(tmp_path, index):
    folder = index.store.folder
    holder = Holder(HOLD_SCRIPT, str(folder), tmp_path)
    assert WriteLock(folder).holder().pid == holder.pid
    holder.kill()
    assert WriteLock(folder).holder().pid == holder.pid  # its record outlives it; the kernel's lock does not

    told: list[object] = []
    index.on_write_wait = told.append
    began = time.monotonic()
    report = index.add([Article(id="next", title="Next", text=story(11))], wait=0)
    assert report.added == 1 and not told
    assert time.monotonic() - began < 3
    assert files_agree(folder)["articles"] == 4


def test_reads_go_on_while_another_process_writes(tmp_path, index):
    folder = index.store.folder
    (folder / "vectors.faiss").unlink()  # stale: a reader rebuilds it in memory, and leaves saving to the writer
    holder = Holder(HOLD_SCRIPT, str(folder), tmp_path)
    pool = ThreadPoolExecutor(1)  # so that a read stuck on the lock fails the test instead of hanging it

    def read() -> None:
        with Index.open(folder) as reader:
            assert reader.search("alpha100 bravo100", k=1)[0].article_id == "old0"
            assert reader.article("old2") is not None
            assert reader.stats()["articles"] == 3
            reader.quotes()

    try:
        began = time.monotonic()
        pool.submit(read).result(timeout=10)
        search = subprocess.run(
            [sys.executable, "-m", "qa.cli", "search", "alpha101", "--index", str(folder), "--json"],
            cwd=ROOT, capture_output=True, text=True, timeout=30,
        )
        assert search.returncode == 0, search.stderr
        assert json.loads(search.stdout)["hits"][0]["article_id"] == "old1"
        assert time.monotonic() - began < 10
        assert not (folder / "vectors.faiss").exists()
        assert holder.process.poll() is None
    finally:
        pool.shutdown(wait=False)
        holder.release()
    with Index.open(folder):
        assert (folder / "vectors.faiss").exists()
