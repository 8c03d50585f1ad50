"""Parity of the two backends on a 300-article slice of RealTime QA: the same embeddings written to a local
index and to a Milvus store (embedded once, by the local ingest, then copied with copy_local) give the same
counts, and top-10 article sets that overlap by at least 90% on average over the 95 questions.

The slice: the gold articles of the questions (98), then the file's first articles, to 300 in all, in file
order, so that most questions have their answer in it."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import pytest

from qa import Index
from qa.evaluate import load_benchmark
from qa.ingest import read_jsonl
from qa.store.milvus.copy import copy_local
from qa.types import Filters

BENCH_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "bench"
SLICE = 300
DEPTH = 10


@pytest.fixture(scope="module")
def both_stores(tmp_path_factory, minilm):
    folder = BENCH_DIR / "realtimeqa"
    if not folder.is_dir():
        pytest.skip(f"benchmark data not found at {folder}")
    questions = load_benchmark(folder).queries
    gold = {article for question in questions for article in question.relevant}
    rows = [json.loads(line) for line in (folder / "articles.jsonl").open(encoding="utf-8")]
    kept = {row["id"] for row in rows if row["id"] in gold}
    kept |= set([row["id"] for row in rows if row["id"] not in kept][: SLICE - len(kept)])
    articles = [article for article in read_jsonl(folder / "articles.jsonl") if getattr(article, "id", None) in kept]
    assert len(articles) == SLICE
    started = time.perf_counter()
    local = Index.open(tmp_path_factory.mktemp("parity") / "index", embedder=minilm, create=True)
    local.add(articles)
    embedded = time.perf_counter() - started
    from milvus_server import milvus_lite_server

    # A server of its own, started once the local ingest is done: in CI the session's server, holding the
    # collections of every Milvus test before, did not accept a new connection within 30 s at this point,
    # while later tests reached it; what this test measures is the stores, not that server's load.
    with milvus_lite_server(tmp_path_factory.mktemp("parity-milvus") / "data") as address:
        milvus = Index.open(f"milvus://{address}/parity_{uuid.uuid4().hex[:12]}", embedder=minilm, create=True)
        copy_local(local.store, milvus.store)
        print(f"\nparity slice: local ingest {embedded:.1f} s, copy to Milvus {time.perf_counter() - started - embedded:.1f} s")
        yield local, milvus, questions
        local.close()
        milvus.close()


def test_both_stores_hold_the_same(both_stores):
    local, milvus, _ = both_stores
    assert local.store.counts() == milvus.store.counts()
    assert local.sources() == milvus.sources()
    ids = [article.id for _, _, article in local.store.articles_after(0, SLICE)]
    assert local.store.stories_of(ids) == milvus.store.stories_of(ids)  # copy_local carries the signatures over
    assert local.store.story_counts() == milvus.store.story_counts()
    some = local.store.articles_after(0, 3)[2][2]
    assert milvus.article(some.id) == local.article(some.id)


@pytest.mark.parametrize("dated", [False, True], ids=["plain", "as_of"])
def test_top_ten_articles_overlap(both_stores, dated):
    local, milvus, questions = both_stores
    overlaps = []
    for question in questions:
        filters = Filters(as_of=question.date) if dated else Filters()
        ours = {hit.article_id for hit in local.search(question.text, DEPTH, filters=filters)}
        theirs = {hit.article_id for hit in milvus.search(question.text, DEPTH, filters=filters)}
        overlaps.append(len(ours & theirs) / max(len(ours), len(theirs), 1))
    average = sum(overlaps) / len(overlaps)
    print(f"\ntop-{DEPTH} overlap ({'as_of' if dated else 'plain'}): {average:.3f} over {len(overlaps)} questions")
    assert len(overlaps) == 95 and average >= 0.9
