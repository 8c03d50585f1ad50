"""Store.save writes what changed: a new keyword segment, vectors.faiss only once the changes since it
was written reach a share of it; opening and refreshing read the rest from SQLite and the disk."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np

from qa.store import Chunking, NewArticle, Store
from qa.store.keywords import KeywordIndex
from qa.store.store import VECTORS, VECTORS_REWRITE_SHARE
from qa.types import Article, Chunk

DIMENSION = 16
ROOT = Path(__file__).resolve().parents[2]


def new_store(folder: Path) -> Store:
    return Store.create(
        folder, model="m", dimension=DIMENSION, chunking=Chunking(256, 32, 48), embedding_backend="torch",
        vector_space="m",
    )


def article(article_id: str, words: str, seed: int, paragraphs: int = 2) -> NewArticle:
    """An article of ``paragraphs`` chunks of ``words``, with random unit vectors."""
    parts = [f"{words} paragraph {n}" for n in range(paragraphs)]
    text = "\n\n".join(parts)
    chunks, start = [], 0
    for ordinal, part in enumerate(parts):
        chunks.append(Chunk(article_id, ordinal, start, start + len(part), part))
        start += len(part) + 2
    vectors = np.random.default_rng(seed).standard_normal((paragraphs, DIMENSION)).astype(np.float32)
    return NewArticle(Article(id=article_id, text=text, title=article_id), article_id, chunks,
                      vectors / np.linalg.norm(vectors, axis=1, keepdims=True))


def found(store: Store, query: str) -> set[str]:
    with store.view() as view:
        hits = view.hits(view.keyword_search(query, 50))
    return {hit.article_id for hit in hits}


def nearest_article(store: Store, vector: np.ndarray) -> str:
    with store.view() as view:
        return view.hits(view.nearest(vector, 1))[0].article_id


def test_a_small_change_leaves_vectors_faiss_alone_and_reopening_reads_it_from_sqlite(tmp_path):
    store = new_store(tmp_path / "ix")
    store.commit([article(f"a{n}", f"harbor budget number{n}", seed=n, paragraphs=10) for n in range(40)])
    store.save()
    written = (tmp_path / "ix" / VECTORS).stat()
    added = article("zebra", "zebra crossing repainted", seed=99)
    store.commit([added], ["a3"])  # 2 chunks in, 10 out: under the rewrite share of 400
    store.save()
    assert (tmp_path / "ix" / VECTORS).stat().st_mtime_ns == written.st_mtime_ns
    store.close()
    reopened = Store.open(tmp_path / "ix")
    assert nearest_article(reopened, added.vectors[1]) == "zebra"
    assert found(reopened, "zebra") == {"zebra"} and "a3" not in found(reopened, "harbor")
    with reopened.view() as view:
        assert len(view.nearest(added.vectors[0], 500)) == 40 * 10 - 10 + 2
    assert (tmp_path / "ix" / VECTORS).stat().st_mtime_ns == written.st_mtime_ns  # opening to read wrote nothing
    # Enough changes since it was written: the next save rewrites it.
    reopened.commit([article(f"b{n}", "railway", seed=200 + n, paragraphs=10) for n in range(2)])
    assert 12 + 20 > 392 * VECTORS_REWRITE_SHARE
    reopened.save()
    assert (tmp_path / "ix" / VECTORS).stat().st_mtime_ns != written.st_mtime_ns
    reopened.close()


WRITER = """
import sys
import numpy as np
sys.path.insert(0, {root!r})
sys.path.insert(0, {tests!r})
from test_store_save import article
from qa.store import Store
store = Store.open({folder!r})
with store.write_lock.hold():
    store.refresh()
    store.commit([article("lighthouse", "lighthouse keeper retired", seed=7)], ["a1"])
    store.save()
store.close()
"""


def test_refresh_picks_up_the_segment_another_process_saved(tmp_path):
    folder = tmp_path / "ix"
    store = new_store(folder)
    store.commit([article(f"a{n}", f"harbor budget number{n}", seed=n) for n in range(5)])
    store.save()
    reader = Store.open(folder)
    assert found(reader, "lighthouse") == set()
    script = WRITER.format(root=str(ROOT), tests=str(Path(__file__).parent), folder=str(folder))
    subprocess.run([sys.executable, "-c", textwrap.dedent(script)], check=True, timeout=300)
    reader.refresh()
    assert found(reader, "lighthouse keeper") == {"lighthouse"} and "a1" not in found(reader, "harbor")
    on_disk = KeywordIndex.load_newest(folder)
    with reader.view():
        held = reader._keywords
    assert [s.name for s in held.segments] == [s.name for s in on_disk.segments]  # read, not re-tokenized
    assert nearest_article(reader, article("lighthouse", "", seed=7).vectors[0]) == "lighthouse"
    reader.close()
    store.close()
