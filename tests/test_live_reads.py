"""Searches while `qa ingest` writes from another process: each one sees the articles of one committed
state, never an older state than an earlier search did, and everything once the writer is done.

What a reader may see, per retriever (qa/store/store.py, Store.view): dense and hybrid searches read the
whole of one committed state. BM25 may lag behind it (StoreView.keyword_search) while a thread of the
reader catches up: chunks changed meanwhile drop out, so a BM25 search sees only articles stored
unchanged in some committed state, and nothing once deleted or replaced."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest

from qa.embed import load_embedder
from qa.index import Index
from qa.indexing import passages
from qa.server.api import create_api
from qa.server.service import IndexService
from qa.types import Article, Filters, Hit

from live_server import live_server

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
WORDS = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar".split()
MARKER = "quokka"  # in every headline, which BM25 indexes with each chunk: the query matches every chunk
WIRE = Filters(source="Wire")  # every article's outlet; the filter makes searches read SQLite in their view
MODES = ("dense", "hybrid", "bm25")
PAUSE = 0.1  # seconds the writer waits after each commit, so that readers see the states in between

# Runs a plan of writes; "ingest" is one `qa ingest`-like add committing each article on its own (and
# building BM25 only at its end), "add" and "delete" are one commit each.
WRITER = textwrap.dedent(
    """
    import json, sys, time
    from qa.config import Settings
    from qa.index import Index
    from qa.types import Article
    folder, model, plan = sys.argv[1:4]
    with Index.open(folder, settings=Settings(model=model, commit_chunks=1)) as index:
        for op, items in json.loads(open(plan).read()):
            if op == "delete":
                index.delete(items)
            else:
                index.add([Article(**item) for item in items], on_progress=lambda n: time.sleep(%r))
            time.sleep(%r)
    """
) % (PAUSE, PAUSE)


def article(n: int, version: int = 0) -> Article:
    # Every word names the version, so a passage tells which version of its article it comes from.
    sentences = [
        " ".join(f"{WORDS[(n * 7 + s * 3 + i) % len(WORDS)]}{n}v{version}" for i in range(9)) + "."
        for s in range(12)
    ]
    return Article(id=f"a{n}", title=f"{MARKER.title()} report {n}", text=" ".join(sentences), source="Wire")


State = dict  # article id -> version stored


class Expected:
    """The committed states of a plan, in order, and the chunk spans of every version of every article."""

    def __init__(self, start: list[Article], plan: list, chunking, embedder) -> None:
        versions = {(a.id, int(a.text.split()[0].rsplit("v", 1)[1])): a for a in start}
        state = {a.id: 0 for a in start}
        self.states: list[State] = [dict(state)]
        for op, items in plan:
            if op == "delete":
                for article_id in items:
                    state.pop(article_id)
                self.states.append(dict(state))
                continue
            for item in items:  # one commit each (commit_chunks=1)
                new = Article(**item)
                state[new.id] = int(new.text.split()[0].rsplit("v", 1)[1])
                versions[(new.id, state[new.id])] = new
                self.states.append(dict(state))
        self.texts = {key: a.text for key, a in versions.items()}
        self.spans = {
            key: {(c.start, c.end) for c in passages(a, chunking=chunking, embedder=embedder)[0]}
            for key, a in versions.items()
        }

    def seen(self, hits: list[Hit], *, whole: bool) -> State:
        """The version of each article in the hits; with ``whole``, every chunk of it must be there."""
        by_article: dict[str, list[Hit]] = {}
        for hit in hits:
            by_article.setdefault(hit.article_id, []).append(hit)
        seen: State = {}
        for article_id, its in by_article.items():
            fits = [
                version for (key, version) in self.texts if key == article_id
                and all(self.texts[(key, version)][h.start : h.end] == h.text for h in its)
                and (not whole or {(h.start, h.end) for h in its} == self.spans[(key, version)])
            ]
            assert fits, f"{article_id}: passages of no stored version, or not all of one: {its}"
            seen[article_id] = fits[0]
        return seen

    def chunks(self, state: State) -> int:
        return sum(len(self.spans[item]) for item in state.items())


class Reader:
    """One reader's searches: each must match a committed state no older than the one before (per mode)."""

    def __init__(self, expected: Expected, search, *, whole: bool) -> None:
        self.expected, self.search, self.whole = expected, search, whole
        self.at = {mode: 0 for mode in MODES}
        self.seen_states: set[int] = set()

    def check(self, mode: str) -> State:
        seen = self.expected.seen(self.search(mode), whole=self.whole)
        states = self.expected.states
        # BM25 may lag: its articles are a part of a state (see the module docstring); the others, all of one.
        fits = [
            i for i in range(self.at[mode], len(states))
            if (seen.items() <= states[i].items() if mode == "bm25" else seen == states[i])
        ]
        assert fits, f"{mode}: {seen} is no committed state from the {self.at[mode]}th on"
        self.at[mode] = fits[0]
        if mode != "bm25":
            self.seen_states.add(fits[0])
        return seen


def run(tmp_path: Path, model: str, start: list[Article], plan: list) -> None:
    folder = tmp_path / "ix"
    with Index.open(folder, model=model, create=True) as writer:
        writer.add(start)
    (tmp_path / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    with Index.open(folder, model=model) as index, Index.open(folder, model=model) as served:
        expected = Expected(start, plan, index.store.manifest.chunking, index.embedder)
        direct = Reader(expected, lambda mode: index.search(
            MARKER, 1000, filters=WIRE, mode=mode, per_article=False
        ), whole=True)
        with live_server(create_api(IndexService(served))) as url, httpx.Client(base_url=url, timeout=30) as http:

            def over_http(mode: str) -> list[Hit]:
                response = http.get("/search", params={"q": MARKER, "k": 100, "mode": mode})
                assert response.status_code == 200, response.text
                return [Hit(**{**hit, "authors": tuple(hit["authors"])}) for hit in response.json()["hits"]]

            # The API gives one passage per article: whole articles are the direct reader's to check.
            remote = Reader(expected, over_http, whole=False)
            writing = subprocess.Popen(
                [sys.executable, "-c", WRITER, str(folder), model, str(tmp_path / "plan.json")],
                env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )
            try:
                while writing.poll() is None:
                    for mode in MODES:
                        direct.check(mode)
                        remote.check(mode)
                assert writing.wait(timeout=60) == 0, writing.stderr.read()
            finally:
                if writing.poll() is None:
                    writing.kill()
                    writing.wait()
            final = expected.states[-1]
            for reader in (direct, remote):
                for mode in MODES:
                    assert reader.check(mode) == final, mode
            # Proof that the searches ran while the writer committed, not only before and after.
            assert min(len(direct.seen_states), len(remote.seen_states)) >= 3, (direct.seen_states, remote.seen_states)
        stats = index.stats()
        dense = index.search(MARKER, 1000, mode="dense", per_article=False)
        assert (stats["articles"], stats["chunks"]) == (len(final), expected.chunks(final)) == (
            len({hit.article_id for hit in dense}), len(dense)
        )


@pytest.fixture(scope="module")
def model(tiny_model_path) -> str:
    """The tiny model on the default backend, exported (once, cached) before the writer process loads it."""
    load_embedder(str(tiny_model_path))
    return str(tiny_model_path)


def test_searches_during_an_ingest_of_many_commits_see_whole_committed_states(tmp_path, model):
    start = [article(n) for n in range(3)]
    plan = [("ingest", [article(n).to_dict() for n in range(3, 21)])]
    run(tmp_path, model, start, plan)


@pytest.mark.parametrize("refreshes", [2, 0], ids=["refreshing", "rebuilding-in-snapshot"])
def test_searches_while_articles_are_replaced_and_deleted_see_only_current_passages(
    tmp_path, model, monkeypatch, refreshes
):
    # 0: each view catches up inside its own SQLite snapshot, the way out when commits outpace refreshes.
    monkeypatch.setattr("qa.store.store.VIEW_REFRESHES", refreshes)
    start = [article(n) for n in range(8)]
    plan = []
    for step in range(1, 5):
        plan += [
            ("ingest", [article(step, step).to_dict()]),  # the same id, changed text: a replacement
            ("ingest", [article(2 * step + 1, step).to_dict()]),
            ("delete", [f"a{8 - step}"]),
            ("ingest", [article(10 + step).to_dict()]),
        ]
    run(tmp_path, model, start, plan)


def test_keyword_texts_of_a_chunk_deleted_meanwhile_are_empty(tmp_path, model):
    # A reader syncing BM25 lists its chunks, then reads their texts: a commit can delete some between.
    with Index.open(tmp_path / "ix", model=model, create=True) as index:
        index.add([article(1)])
        listed = index.store.database.chunk_table().ids
        index.delete(["a1"])
        assert index.store.database.keyword_texts(listed) == [""] * len(listed)


def test_a_bm25_build_removed_while_it_is_read_gives_way_to_the_newer_one(tmp_path, model, monkeypatch):
    # A writer saving a build removes the older ones, maybe the one a reader's refresh is opening.
    import numpy

    from qa.store.keywords import KeywordIndex

    with Index.open(tmp_path / "ix", model=model, create=True) as index:
        index.add([article(1)])
        generation = index.store.database.generation()
    real_load, failures = numpy.load, []

    def removed_once(*args, **kwargs):
        if not failures:
            failures.append(args[0])
            raise FileNotFoundError(args[0])
        return real_load(*args, **kwargs)

    monkeypatch.setattr(numpy, "load", removed_once)
    loaded = KeywordIndex.load_newest(tmp_path / "ix")
    assert failures and (loaded.generation, len(loaded.chunk_ids)) == (generation, len(index.store._chunks.ids))
