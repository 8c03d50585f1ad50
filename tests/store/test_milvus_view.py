"""A search on a Milvus store while another writer replaces an article (docs/scale-out.md, "What a search
may see while a write runs"): no hit pairs a passage of one version with the article facts of another."""

from __future__ import annotations

import threading
import uuid

from qa import Index
from qa.types import Article


def version(name: str, words: str) -> Article:
    text = "\n\n".join(
        f"The harbor bridge report, part {part}: {' '.join(f'{words}{part}x{n}' for n in range(40))}."
        for part in range(12)
    )
    return Article("flip", text, title=f"Version {name}", source="Harbor Times", published="2024-03-02")


def test_a_search_during_replaces_never_mixes_two_versions_of_an_article(milvus_address, tiny_embedder):
    versions = {"Version A": version("A", "alpha"), "Version B": version("B", "bravo")}
    location = f"milvus://{milvus_address}/view_{uuid.uuid4().hex[:12]}"
    with Index.open(location, embedder=tiny_embedder, create=True) as writer, Index.open(location) as reader:
        writer.add([versions["Version A"]])
        done, seen, searches = threading.Event(), [], [0]

        def read() -> None:
            while not done.is_set():
                seen.extend(reader.search("harbor bridge report", 10, mode="bm25", per_article=False))
                searches[0] += 1

        reading = threading.Thread(target=read)
        reading.start()
        try:
            for round_ in range(16):
                writer.add([versions["Version B" if round_ % 2 == 0 else "Version A"]])
        finally:
            done.set()
            reading.join()
    assert searches[0] >= 16 and {hit.title for hit in seen} == set(versions)
    mixed = [hit for hit in seen if versions[hit.title].text[hit.start : hit.end] != hit.text]
    assert not mixed, f"{len(mixed)} of {len(seen)} hits mixed two versions, e.g. {mixed[0]}"
