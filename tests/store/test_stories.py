"""Wire stories: near-copies of one story are grouped at ingest and kept right through deletes and
replacements; a search shows a story once with its other copies in also_in (all_copies shows each);
an index made before stories were grouped opens, searches, and groups on its next write. The tests taking
``index`` run on both backends."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from qa.index import Index
from qa.store import stories
from qa.types import Article, Filters

WIRE = (
    "Engineers closed the Harbor Street bridge on Monday after inspectors found cracks in two of its "
    "steel support beams, city officials said. The bridge, which carries about 40,000 vehicles a day "
    "across the Millbrook River, will stay closed for at least three weeks while crews install temporary "
    "braces. Mayor Dana Ortiz said the decision was made out of an abundance of caution and that no one "
    "had been hurt. \u201cWe are not going to take chances with the people who cross this bridge every day,\u201d "
    "Ortiz said. Drivers were told to use the Canal Road crossing two miles north, where traffic backed "
    "up for more than an hour during the morning commute. The cracks were spotted during a routine "
    "inspection on Friday, according to the city's transportation department, which said the beams had "
    "last been examined eighteen months ago. A spokesman for the state highway agency said federal money "
    "set aside for bridge repairs could cover part of the cost, estimated at 12 million dollars. Local "
    "businesses near the bridge said they feared losing customers during the closure. The owner of a "
    "bakery on the east side of the river said half of her morning customers come from across the water."
)
UPDATE = (
    WIRE.replace("at least three weeks", "at least six weeks")
    + " The city council will meet on Thursday to vote on emergency funding for the repairs."
)
SAME_TOPIC = (
    "Commuters faced long delays on Monday as the Harbor Street bridge sat empty behind orange barriers. "
    "Officials shut the crossing over the Millbrook River when an inspection turned up cracked beams, and "
    "they expect it to reopen in about three weeks. At the Canal Road bridge, the nearest alternative, "
    "cars crawled for an hour. Some residents questioned why problems were not caught sooner, while "
    "shop owners on both banks worried about a slow month. The transportation department promised daily "
    "updates on its website and said buses would be rerouted. Repairs could cost the city 12 million "
    "dollars, part of which may come from federal funds, according to the state highway agency."
)
WORDS = [f"w{number}" for number in range(4000)]


def wire_copies() -> list[Article]:
    """The agency text in two outlets (each with its own dateline and sign-off), its update, and another
    outlet's own story on the same closure."""
    return [
        Article(id="ap", text=f"MILLBROOK (AP) — {WIRE}", title="Bridge closed after cracks found",
                url="https://wire.example/ap", source="AP", published="2026-03-02"),
        Article(id="gazette", text=f"{WIRE}\n\nCopyright 2026 The Associated Press. All rights reserved.",
                title="Harbor Street bridge shut", url="https://gazette.example/b", source="Gazette",
                published="2026-03-02"),
        Article(id="update", text=UPDATE, title="Bridge closure doubled to six weeks",
                url="https://wire.example/ap-2", source="AP", published="2026-03-04"),
        Article(id="herald", text=SAME_TOPIC, title="Commuters stuck as bridge closes",
                url="https://herald.example/c", source="Herald", published="2026-03-02"),
    ]


def paragraphs(seed: int, count: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return [" ".join(rng.choice(WORDS, 60)) + "." for _ in range(count)]


@pytest.fixture()
def index(location, tiny_embedder):
    """An empty index on either backend (tests/store/conftest.py)."""
    with Index.open(location, embedder=tiny_embedder, create=True) as opened:
        yield opened


def test_the_test_texts_sit_on_either_side_of_the_threshold():
    ap, gazette, update, herald = (stories.shingles(article.text) for article in wire_copies())
    assert stories.jaccard(ap, gazette) >= stories.THRESHOLD
    assert stories.jaccard(ap, update) >= stories.THRESHOLD and stories.jaccard(gazette, update) >= stories.THRESHOLD
    assert stories.jaccard(ap, herald) < 0.1


def test_copies_and_an_update_are_one_story_and_a_rewrite_on_the_same_topic_is_not(index):
    index.add(wire_copies())
    found = index.stories_of(["ap", "gazette", "update", "herald"])
    assert found["ap"] == found["gazette"] == found["update"]
    assert found["herald"] == "herald"
    assert index.stats()["stories_grouped"] == 1 and index.stats()["articles_grouped"] == 3


def test_a_search_shows_a_story_once_with_its_other_copies_in_also_in(index):
    index.add(wire_copies())
    hits = index.search("Harbor Street bridge closed cracks", k=10)
    assert sorted(hit.article_id in ("ap", "gazette", "update") for hit in hits) == [False, True]
    story, other = (hit for hit in sorted(hits, key=lambda hit: hit.article_id == "herald"))
    assert other.article_id == "herald" and other.also_in == ()
    copies = {copy.article_id: copy for copy in story.also_in}
    assert set(copies) == {"ap", "gazette", "update"} - {story.article_id}
    assert copies.get("update", copies.get("ap")).source == "AP"
    assert [copy.published for copy in story.also_in] == sorted((c.published for c in story.also_in), reverse=True)
    as_dict = story.to_dict()["also_in"]
    assert set(as_dict[0]) == {"article_id", "source", "url", "published"}


def test_the_copy_shown_is_the_best_ranked_and_all_copies_shows_each(index):
    index.add(wire_copies())
    # The update alone speaks of six weeks and the council vote: it ranks first, so it stands for the story.
    best = index.search("council vote six weeks emergency funding", k=1)[0]
    assert best.article_id == "update" and {copy.article_id for copy in best.also_in} == {"ap", "gazette"}
    every = index.search("Harbor Street bridge closed cracks", k=10, all_copies=True)
    assert {hit.article_id for hit in every} == {"ap", "gazette", "update", "herald"}
    shown = {hit.article_id: {copy.article_id for copy in hit.also_in} for hit in every}
    assert shown["gazette"] == {"ap", "update"} and shown["herald"] == set()


def test_a_quotation_carried_by_every_copy_is_listed_once(index):
    index.add(wire_copies())
    stored = index.store.quotes(name_words=["Ortiz"])
    assert len({quote.article_id for quote in stored}) == 3
    listed = index.quotes("Dana Ortiz")
    assert len(listed) == 1 and listed[0].text.startswith("We are not going to take chances")


def test_passages_of_other_copies_are_dropped_when_searching_passages(index):
    index.add(wire_copies())
    hits = index.search("Harbor Street bridge", k=20, per_article=False)
    grouped = {hit.article_id for hit in hits} & {"ap", "gazette", "update"}
    assert len(grouped) == 1


def test_also_in_keeps_to_the_filters(index):
    index.add(wire_copies())
    hits = index.search("Harbor Street bridge cracks", k=10, filters=Filters(until="2026-03-02"))
    assert "update" not in {hit.article_id for hit in hits}
    assert all(copy.article_id != "update" for hit in hits for copy in hit.also_in)


def test_deleting_and_replacing_copies_regroups(index):
    index.add(wire_copies())
    index.delete(["ap"])  # the story's name: the rest keep together under another
    assert index.stories_of(["gazette", "update"]) == {"gazette": "gazette", "update": "gazette"}
    index.add([Article(id="gazette", text=SAME_TOPIC.replace("Commuters", "Drivers"), source="Gazette")])
    regrouped = index.stories_of(["gazette", "update", "herald"])
    assert regrouped == {"gazette": "gazette", "update": "update", "herald": "gazette"}
    assert index.stats()["stories_grouped"] == 1


def test_removing_the_link_between_two_halves_splits_a_story(index):
    # first ~ middle and middle ~ last, but first and last share too little: one story only through middle.
    body = paragraphs(1, 10)
    first = Article(id="first", text="\n\n".join(body[:8] + paragraphs(2, 1)))
    middle = Article(id="middle", text="\n\n".join(body))
    last = Article(id="last", text="\n\n".join(body[2:] + paragraphs(3, 1)))
    index.add([first, middle, last])
    assert len(set(index.stories_of(["first", "middle", "last"]).values())) == 1
    index.delete(["middle"])
    assert index.stories_of(["first", "last"]) == {"first": "first", "last": "last"}
    assert index.stats()["stories_grouped"] == 0


def test_an_index_made_before_stories_opens_searches_and_groups_on_its_next_write(tmp_path, tiny_embedder):
    folder = tmp_path / "old"
    with Index.open(folder, embedder=tiny_embedder, create=True) as index:
        index.add(wire_copies())
    with sqlite3.connect(folder / "meta.sqlite") as db:  # as an index of the version before stories
        for table in ("stories", "story_links", "story_bands", "story_signatures"):
            db.execute(f"DROP TABLE {table}")
        db.execute("DELETE FROM state WHERE key LIKE 'stories%'")
    with Index.open(folder, embedder=tiny_embedder) as index:
        assert index.stories_pending()
        hits = index.search("Harbor Street bridge closed cracks", k=10)
        assert len(hits) == 4 and all(hit.also_in == () for hit in hits)  # every copy, until grouped
        assert index.stories_pending()  # reads never write
        index.add([Article(id="other", text=" ".join(paragraphs(4, 3)))])
        assert not index.stories_pending()
        found = index.stories_of(["ap", "gazette", "update", "herald", "other"])
        assert found["ap"] == found["gazette"] == found["update"] != found["herald"]
        shown = {hit.article_id for hit in index.search("Harbor Street bridge closed cracks", k=10)}
        assert len(shown & {"ap", "gazette", "update"}) == 1 and "herald" in shown


def test_an_interrupted_regrouping_resumes_and_a_new_version_regroups_everything(index, monkeypatch):
    from qa import indexing

    index.add(wire_copies())
    index.store.add_story_signatures([], {indexing.STORIES_VERSION: 0})
    monkeypatch.setattr(indexing, "QUOTES_BACKFILL_BATCH", 2)
    calls = []
    real = index.store.add_story_signatures

    def failing_after_one(found, state, *, restart=False):
        calls.append(restart)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real(found, state, restart=restart)

    monkeypatch.setattr(index.store, "add_story_signatures", failing_after_one)
    with pytest.raises(KeyboardInterrupt):
        index.ensure_stories()
    assert calls == [True, False]
    monkeypatch.setattr(index.store, "add_story_signatures", real)
    assert index.ensure_stories() == 2  # the two articles after the first batch
    found = index.stories_of(["ap", "gazette", "update", "herald"])
    assert found["ap"] == found["gazette"] == found["update"] != found["herald"]


def test_a_verbatim_copy_under_another_id_is_kept_as_a_copy_of_its_story(tmp_path, location, tiny_model_path, capsys):
    """The same wire text from another outlet: stored with its own outlet, url and date, shown in also_in
    (qa search --json, /api/search), its quotation listed once, and removable by qa delete; on both backends."""
    import json

    from fastapi.testclient import TestClient

    from qa.cli import main
    from qa.server import create_app

    text = f"MILLBROOK (AP) — {WIRE}"
    rows = [
        {"id": "ap", "text": text, "source": "AP", "url": "https://wire.example/ap", "published": "2026-03-02"},
        {"id": "courier", "text": text, "source": "Courier", "url": "https://courier.example/b", "published": "2026-03-03"},
    ]
    news = tmp_path / "news.jsonl"
    news.write_text("".join(json.dumps(row) + "\n" for row in rows))
    assert main(["ingest", str(news), "--store", location, "--model", str(tiny_model_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["added"] == 2

    def also_in() -> dict[str, list[dict]]:
        assert main(["search", "Harbor Street bridge cracks", "--store", location, "--json"]) == 0
        return {hit["article_id"]: hit["also_in"] for hit in json.loads(capsys.readouterr().out)["hits"]}

    [(shown, copies)] = also_in().items()
    other = ({"ap", "courier"} - {shown}).pop()
    assert copies == [{"article_id": other, **{key: rows[shown == "ap"][key] for key in ("source", "url", "published")}}]
    with Index.open(location) as index:
        rest = TestClient(create_app(index)).get("/api/search", params={"q": "Harbor Street bridge cracks"}).json()
        assert [(hit["article_id"], hit["also_in"]) for hit in rest["hits"]] == [(shown, copies)]
        assert len(index.quotes("Dana Ortiz")) == 1
        assert index.article("courier").source == "Courier"

    assert main(["delete", "courier", "--store", location]) == 0
    capsys.readouterr()
    assert also_in() == {"ap": []}
    with Index.open(location) as index:
        assert index.stats()["articles"] == 1 and index.stats()["stories_grouped"] == 0
