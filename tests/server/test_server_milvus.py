"""A `qa serve` replica over a Milvus store: it needs no local files, and sees what another writer adds."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from server_testing import article

from qa.index import Index
from qa.server import create_app


def test_the_api_serves_a_milvus_store_written_by_another_index(milvus_address, tiny_embedder, tmp_path, monkeypatch):
    store = f"milvus://{milvus_address}/serve_{uuid.uuid4().hex[:12]}"
    monkeypatch.chdir(tmp_path)
    with Index.open(store, embedder=tiny_embedder, create=True) as writer:
        writer.add([article(1), article(2, source="Gazette", published="2021-06-01")])
        with Index.open(store, embedder=tiny_embedder) as replica:
            client = TestClient(create_app(replica))
            hits = client.get("/api/search", params={"q": "alpha bravo", "k": 5}).json()["hits"]
            assert {hit["article_id"] for hit in hits} == {"story-1", "story-2"}
            assert client.get("/api/articles/story-2").json()["source"] == "Gazette"
            writer.add([article(3, published="2022-03-05")])
            hits = client.get("/api/search", params={"q": "alpha bravo", "k": 5}).json()["hits"]
            assert {hit["article_id"] for hit in hits} == {"story-1", "story-2", "story-3"}
            answer = client.post("/api/ask", json={"question": "alpha bravo", "k": 3}).json()
            assert answer["citations"]
    assert list(tmp_path.iterdir()) == []
