"""The index a server shares: searches run while an upload is ingested and never see part of it, and the
quotes of an index stored without them are extracted as the server starts, as a write."""

from __future__ import annotations

import threading
import time

import httpx
from live_server import live_server
from server_testing import ROOT, article, three_story_index, wait_until

from qa.index import Index
from qa.ingest import load_articles
from qa.quotes import EXTRACTOR_VERSION
from qa.types import FoundQuotes
from qa.server import create_app


class SlowToEmbedDocuments:
    """The tiny model, taking as long over a batch of articles as a real model does on a busy machine,
    so that searches surely fall inside the ingest however fast or loaded the test machine is."""

    def __init__(self, embedder, seconds: float):
        self._embedder, self._seconds = embedder, seconds

    def __getattr__(self, name: str):
        return getattr(self._embedder, name)

    def embed_documents(self, texts, *, batch_size: int = 32):
        time.sleep(self._seconds)
        return self._embedder.embed_documents(texts, batch_size=batch_size)


def test_searches_in_threads_all_succeed_while_an_upload_is_ingested(tmp_path, tiny_embedder):
    newcomers = [
        {"id": f"new-{n}", "title": f"New {n}", "text": article(100 + n).text + f" Unique{n}.", "source": "Wire"}
        for n in range(30)
    ]
    searches: list[tuple[float, float, int]] = []  # (began, ended, articles found)
    failures: list[str] = []
    ingest_done = threading.Event()

    def search_until_ingested(url: str) -> None:
        with httpx.Client(base_url=url, timeout=30) as http:
            while True:
                finished = ingest_done.is_set()
                began = time.monotonic()
                reply = http.get("/api/search", params={"q": "alpha bravo charlie", "k": 100})
                if reply.status_code != 200:
                    failures.append(reply.text)
                else:
                    searches.append((began, time.monotonic(), len(reply.json()["hits"])))
                if finished:
                    return

    slow = SlowToEmbedDocuments(tiny_embedder, seconds=2)
    with three_story_index(tmp_path / "index", slow) as index, live_server(create_app(index)) as url:
        searchers = [threading.Thread(target=search_until_ingested, args=(url,)) for _ in range(6)]
        for thread in searchers:
            thread.start()
        while len(searches) < 6:  # every searcher is under way before the ingest starts
            time.sleep(0.01)
        ingest_began = time.monotonic()
        report = httpx.post(f"{url}/api/articles", json=newcomers, timeout=120).json()
        ingest_ended = time.monotonic()
        ingest_done.set()
        for thread in searchers:
            thread.join(timeout=60)

    assert report["added"] == 30
    assert not failures
    during = [found for began, ended, found in searches if ingest_began < began and ended < ingest_ended]
    assert during, "no search ran while the ingest did"
    assert {found for _, _, found in searches} <= {3, 33}, "a search saw part of an ingest batch"
    after = [found for began, _, found in searches if began > ingest_ended]
    assert len(after) >= 6 and set(after) == {33}


def test_a_server_on_an_index_without_current_quotes_extracts_them_as_it_starts(tmp_path, tiny_embedder):
    folder = tmp_path / "index"
    with Index.open(folder, embedder=tiny_embedder, create=True) as index:
        index.add(load_articles(ROOT / "data" / "sample"))
        # As an index whose quotes come from an older extractor: none stored, the version rewound.
        stored = index.store.articles_after(0, 100)
        index.store.replace_quotes(
            [(story.id, text_hash, FoundQuotes(), ()) for _, text_hash, story in stored],
            {"quotes_version": EXTRACTOR_VERSION - 1},
        )
    with Index.open(folder, embedder=tiny_embedder) as index:
        assert index.quotes_pending() and index.store.counts()["quotes"] == 0
        with live_server(create_app(index, chat_in_background=True)) as url:
            wait_until(lambda: not index.quotes_pending())  # before any question asked for a quote
            assert index.store.counts()["quotes"] > 0
            question = {"question": "What did Blinken say about Article 5?"}
            reply = httpx.post(f"{url}/api/ask", json=question, timeout=60)
    assert reply.status_code == 200
    answer = reply.json()
    assert answer["kind"] == "quote" and "Our Article 5 commitment extends to NATO allies" in answer["answer"]
    assert answer["citations"][0]["title"].startswith("Blinken and Lavrov plan more talks")
