"""The index a server shares: searches run while an upload is ingested and never see part of it."""

from __future__ import annotations

import threading
import time

import httpx
from live_server import live_server
from server_testing import article, three_story_index

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
