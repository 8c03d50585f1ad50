"""The store contract, the same over both backends: the local index folder and a Milvus collection on a real
milvus-lite server (the session's milvus_address; the ``location`` fixture of tests/store/conftest.py)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

from qa import Index
from qa.errors import QAError
from qa.types import Article, Filters

ROOT = Path(__file__).resolve().parents[2]

BRIDGE = Article(
    "bridge", "The city council voted to rebuild the old river bridge after years of delays. "
    "“We will rebuild the bridge before winter,” said Mayor Jane Holloway, who called the vote historic. "
    "Engineers expect the work to take eight months and to close two lanes.",
    title="Council votes to rebuild river bridge", published="2024-03-02", source="Harbor Times",
    authors=("Ann Lee",), url="https://example.org/bridge",
)
FLOODS = Article(
    "floods", "Heavy rain flooded farms across the valley on Tuesday. "
    "“The water rose faster than anyone expected,” said Mayor Jane Holloway during a visit to the farms. "
    "Farmers said the harvest of apples and pears was lost.",
    title="Floods hit valley farms", published="2024-05-10", source="Valley Post",
)
LIBRARY = Article(
    "library", "The public library opened a new reading room for children with thousands of picture books. "
    "Volunteers read stories aloud every Saturday morning.",
    title="Library opens children's reading room", source="harbor times",
)


@pytest.fixture()
def index(location, tiny_embedder):
    with Index.open(location, embedder=tiny_embedder, create=True) as opened:
        opened.add([BRIDGE, FLOODS, LIBRARY])
        yield opened


def _articles(hits) -> list[str]:
    return [hit.article_id for hit in hits]


def test_add_stores_articles_passages_and_quotes(index):
    counts = index.store.counts()
    assert counts["articles"] == 3 and counts["chunks"] >= 3 and counts["quotes"] == 2
    stored = index.article("bridge")
    assert stored.text == BRIDGE.text and stored.authors == ("Ann Lee",) and stored.url == BRIDGE.url
    hits = index.search("rebuild the river bridge", 3, mode="bm25")
    assert hits[0].article_id == "bridge"
    assert BRIDGE.text[hits[0].start : hits[0].end] == hits[0].text and hits[0].source == "Harbor Times"
    assert set(_articles(index.search("apples and pears harvest", 3))) == {"bridge", "floods", "library"}
    assert index.sources() == ["Harbor Times", "Valley Post"]


def test_adding_again_skips_and_a_copy_under_another_id_is_stored_as_its_own_article(index):
    before = index.store.counts()
    report = index.add([BRIDGE, Article("bridge-copy", BRIDGE.text, title="Copy")])
    assert (report.added, report.skipped) == (1, 1)
    assert index.store.counts()["articles"] == before["articles"] + 1
    assert index.article("bridge-copy").text == BRIDGE.text and index.article("bridge").title != "Copy"


def test_a_copy_under_another_id_is_one_story_with_the_original_until_deleted(index):
    index.add([Article("bridge-copy", BRIDGE.text, title="Copy", source="Copy Courier", published="2024-03-04")])
    assert index.stories_of(["bridge", "bridge-copy", "floods"]) == {
        "bridge": "bridge", "bridge-copy": "bridge", "floods": "floods"}
    assert index.stats()["stories_grouped"] == 1 and index.stats()["articles_grouped"] == 2
    [shown] = [hit for hit in index.search("rebuild the river bridge", 5) if hit.article_id.startswith("bridge")]
    other = ({"bridge", "bridge-copy"} - {shown.article_id}).pop()
    assert [copy.article_id for copy in shown.also_in] == [other]
    assert len(index.quotes("Jane Holloway")) == 2  # the copy's quotation counted once; floods' is another
    assert index.search("rebuild the river bridge", 5, filters=Filters(until="2024-03-03"))[0].also_in == ()
    index.add([Article("bridge-copy", "The copy now tells of a new ferry across the bay.", source="Copy Courier")])
    assert index.stories_of(["bridge"]) == {"bridge": "bridge"} and index.stats()["stories_grouped"] == 0
    index.add([Article("bridge-copy-2", BRIDGE.text, source="Wire")])
    index.delete(["bridge"])
    assert index.stories_of(["bridge-copy-2"]) == {"bridge-copy-2": "bridge-copy-2"}
    assert all(hit.also_in == () for hit in index.search("rebuild the river bridge", 5))


def test_replace_changes_text_passages_and_quotes(index):
    changed = Article("bridge", "The council delayed the bridge vote to next year. No one was quoted.",
                      title="Bridge vote delayed", published="2024-03-03", source="Harbor Times")
    report = index.add([changed])
    assert report.replaced == 1
    assert index.article("bridge").text == changed.text
    assert index.store.counts()["articles"] == 3
    hits = index.search("bridge vote delayed next year", 3, mode="bm25")
    assert hits[0].article_id == "bridge" and changed.text[hits[0].start : hits[0].end] == hits[0].text
    assert "winter" not in " ".join(hit.text for hit in index.search("rebuild the bridge before winter", 5))
    assert [quote.article_id for quote in index.quotes("Holloway")] == ["floods"]


def test_delete_removes_passages_quotes_and_people(index):
    assert index.delete(["bridge", "never-stored"]) == 1
    assert index.article("bridge") is None and index.store.counts()["articles"] == 2
    assert "bridge" not in _articles(index.search("rebuild the river bridge", 5))
    assert [quote.article_id for quote in index.quotes("Holloway")] == ["floods"]
    assert [person.articles for person in index.store.people(["holloway"]) if person.name == "Jane Holloway"] == [1]


def test_filters_by_outlet_and_dates(index):
    assert set(_articles(index.search("bridge farms library", 5, filters=Filters(source="HARBOR TIMES")))) == {
        "bridge", "library"}
    assert _articles(index.search("bridge farms library", 5, filters=Filters(since="2024-04-01"))) == ["floods"]
    assert _articles(index.search("bridge farms library", 5, filters=Filters(until="2024-04-01"))) == ["bridge"]
    # as_of keeps undated articles, unlike until
    assert set(_articles(index.search("bridge farms library", 5, filters=Filters(as_of="2024-04-01")))) == {
        "bridge", "library"}
    assert index.search("bridge", 5, filters=Filters(source="Nowhere Gazette")) == []


def test_quotes_people_and_speaker_quotes(index):
    quotes = index.quotes("the mayor")
    assert [(quote.article_id, quote.speaker) for quote in quotes] == [
        ("bridge", "Jane Holloway"), ("floods", "Jane Holloway")]
    assert quotes[0].text == BRIDGE.text[quotes[0].start : quotes[0].end]
    assert [quote.article_id for quote in index.quotes("Holloway", filters=Filters(since="2024-04-01"))] == ["floods"]
    people = [person for person in index.store.people(["holloway"]) if person.name == "Jane Holloway"]
    assert people and people[0].articles == 2 and people[0].first_seen == "2024-03-02"
    found = index.speaker_quotes(["Jane Holloway"])
    assert len(found.quotes) == 2 and found.embedded.all() and found.vectors.shape == (2, index.embedder.dimension)
    assert found.framings[0] and found.published == ["2024-03-02", "2024-05-10"]
    resolved = index.resolve_speaker("Holloway")
    assert resolved is not None and "Jane Holloway" in resolved.names


def test_a_search_sees_what_another_process_wrote(index, location, tiny_model_path):
    script = textwrap.dedent(f"""
        from qa import Index
        from qa.embed import SentenceTransformerEmbedder
        from qa.types import Article
        embedder = SentenceTransformerEmbedder({str(tiny_model_path)!r})
        with Index.open({location!r}, embedder=embedder) as index:
            index.add([Article("zoo", "The zoo welcomed a baby giraffe named Pebble on Sunday.", title="Giraffe born")])
    """)
    subprocess.run([sys.executable, "-c", script], check=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": ""},
                   timeout=300)
    assert _articles(index.search("baby giraffe Pebble", 1, mode="bm25")) == ["zoo"]
    assert index.store.counts()["articles"] == 4


@pytest.mark.parametrize("address, message", [
    ("milvus://127.0.0.1:1/articles", "cannot reach Milvus at 127.0.0.1:1"),
    ("milvus://127.0.0.1/articles", "not a Milvus address"),
    ("milvus://127.0.0.1:19530/no-dashes", "must be a letter"),
])
def test_bad_milvus_addresses_are_one_line(address, message):
    with pytest.raises(QAError) as raised:
        Index.open(address)
    assert message in str(raised.value) and "\n" not in str(raised.value) and address.split("/")[2] in str(raised.value)


def test_opening_a_missing_store_says_how_to_build_one(location):
    with pytest.raises(QAError, match="qa ingest"):
        Index.open(location)


def test_a_milvus_store_past_the_flat_limit_searches_by_hnsw(milvus_address, tiny_embedder, monkeypatch):
    from qa.store.milvus import schema

    location = f"milvus://{milvus_address}/hnsw_{uuid.uuid4().hex[:12]}"
    with Index.open(location, embedder=tiny_embedder, create=True) as index:
        index.add([BRIDGE, FLOODS])
        assert index.stats()["vector_index"] == "FLAT"
        monkeypatch.setattr(schema, "FLAT_LIMIT", 3)
        index.add([LIBRARY])
        assert index.stats()["vector_index"] == "HNSW"
        assert set(_articles(index.search("children's reading room", 3, mode="dense"))) == {"bridge", "floods", "library"}
        monkeypatch.setattr(schema, "FLAT_LIMIT", 100)
        index.delete(["library"])
        assert index.stats()["vector_index"] == "FLAT"


def test_milvus_bm25_scores_the_local_stores_way(tmp_path, milvus_address, tiny_embedder):
    """The same passages in one outlet (so one milvus-lite segment) score as on the local store, with its
    k1 and b: Milvus's BM25 is the local one times (k1 + 1)."""
    from dataclasses import replace

    from qa.store.keyword_segment import K1

    articles = [replace(article, source="Harbor Times") for article in (BRIDGE, FLOODS, LIBRARY)]
    scored = {}
    milvus = f"milvus://{milvus_address}/bm25_{uuid.uuid4().hex[:12]}"
    for name, location in (("local", str(tmp_path / "index")), ("milvus", milvus)):
        with Index.open(location, embedder=tiny_embedder, create=True) as index:
            index.add(articles)
            with index.store.view() as view:
                found = view.keyword_search("mayor rebuild the bridge over farms and books", 10)
                facts = view.chunk_facts([chunk for chunk, _ in found])
                scored[name] = [((facts[chunk].article_id, facts[chunk].ordinal), score) for chunk, score in found]
    assert [place for place, _ in scored["milvus"]] == [place for place, _ in scored["local"]]
    assert len(scored["local"]) == 3
    for (_, theirs), (_, ours) in zip(scored["milvus"], scored["local"]):
        assert theirs == pytest.approx(ours * (K1 + 1), rel=1e-4)


def test_a_milvus_store_opens_after_its_server_restarts(tmp_path, tiny_embedder):
    from milvus_server import milvus_lite_server

    with milvus_lite_server(tmp_path / "data") as address:
        with Index.open(f"milvus://{address}/restarted", embedder=tiny_embedder, create=True) as index:
            index.add([BRIDGE, FLOODS])
    with milvus_lite_server(tmp_path / "data") as address:  # its collections come back released
        with Index.open(f"milvus://{address}/restarted", embedder=tiny_embedder) as index:
            assert index.store.counts()["articles"] == 2
            assert _articles(index.search("rebuild the river bridge", 1)) == ["bridge"]


def test_a_milvus_store_made_before_the_story_collections_says_to_build_it_again(milvus_address, tiny_embedder):
    from pymilvus import MilvusClient

    collection = f"older_{uuid.uuid4().hex[:12]}"
    location = f"milvus://{milvus_address}/{collection}"
    with Index.open(location, embedder=tiny_embedder, create=True):
        pass
    client = MilvusClient(uri=f"http://{milvus_address}")
    client.drop_collection(f"{collection}_links")
    client.close()
    with pytest.raises(QAError) as raised:
        Index.open(location)
    assert str(raised.value) == f"{location}: made by an older qa, without {collection}_links; build it again"
