"""A SIGKILL in the middle of an ingest must leave the index openable with everything it had."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from qa.index import Index
from qa.types import Article

ROOT = Path(__file__).resolve().parent.parent

INGEST_SCRIPT = textwrap.dedent(
    """
    import sys
    from qa.config import Settings
    from qa.index import Index
    from qa.types import Article
    words = "alpha bravo charlie delta echo foxtrot golf hotel india juliet".split()
    articles = (
        Article(id=f"b{n}", title=f"Batch story {n}",
                text=" ".join(words[(n * 7 + i) % 10] + str(n) for i in range(400)) + ".")
        for n in range(100000)
    )
    with Index.open(sys.argv[1], settings=Settings(model=sys.argv[2], commit_chunks=64)) as index:
        index.add(articles)
    """
)


def generation(folder: Path) -> int:
    with sqlite3.connect(folder / "meta.sqlite") as db:
        return db.execute("SELECT value FROM state WHERE key = 'generation'").fetchone()[0]


def test_sigkill_mid_ingest_keeps_previous_index_and_resume_skips(tmp_path, tiny_model_path):
    folder = tmp_path / "ix"
    model = str(tiny_model_path)
    with Index.open(folder, model=model, create=True) as index:
        index.add([Article(id=f"a{n}", title=f"Old {n}", text=f"Old story number {n} about kilo lima.") for n in range(5)])
        before = {hit.article_id for hit in index.search("kilo lima", k=100)}
    assert before == {f"a{n}" for n in range(5)}
    start = generation(folder)

    process = subprocess.Popen(
        [sys.executable, "-c", INGEST_SCRIPT, str(folder), model], cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while generation(folder) < start + 2 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.poll() is None, process.stderr.read().decode()
    os.kill(process.pid, signal.SIGKILL)
    process.wait()

    with Index.open(folder, model=model) as index:
        stats = index.stats()
        assert {f"a{n}" for n in range(5)} <= {hit.article_id for hit in index.search("kilo lima", k=1000)}
        assert len(index.store._vectors) == stats["chunks"]
        committed = stats["articles"]
        assert committed > 5  # at least one batch of the killed ingest was committed and kept
        for n in range(committed - 5):
            assert index.article(f"b{n}") is not None
        resumed = index.add([Article(id=f"b{n}", title=f"Batch story {n}", text=index.article(f"b{n}").text) for n in range(committed - 5)])
        assert resumed.skipped == committed - 5 and resumed.chunks == 0
