"""Articles added from web addresses through the server: POST /api/articles and the chat's "Add
articles", and the rule against server-side request forgery: loopback and private addresses are
refused unless the server was started with --allow-private-urls."""

from __future__ import annotations

from fastapi.testclient import TestClient
from feed_files import page, rss
from web_site import web_site

from qa.cli import build_parser
from qa.server import create_app

PARAGRAPHS = ["The harbour board approved the budget on Monday.", "Work on the new pier starts in spring."]


def test_a_loopback_address_is_refused_by_default_and_nothing_is_asked_of_it(index):
    client = TestClient(create_app(index))
    before = client.get("/api/stats").json()["articles"]
    with web_site() as site:
        url = site.put("/pier.html", page("Pier work to start in spring", PARAGRAPHS))
        reply = client.post("/api/articles", json=[url])
        assert site.requests == []
    assert reply.status_code == 422
    [error] = reply.json()["errors"]
    assert error["origin"] == url
    assert error["reason"].startswith("refused: 127.0.0.1 is a loopback or private address")
    assert "--allow-private-urls" in error["reason"]
    assert client.get("/api/stats").json()["articles"] == before


def test_with_allow_private_urls_pages_and_feeds_are_added_beside_article_objects(index):
    client = TestClient(create_app(index, allow_private_urls=True))
    with web_site() as site:
        page_url = site.put("/pier.html", page("Pier work to start in spring", PARAGRAPHS))
        items = [{"title": f"Ferry {n}", "link": site.url(f"/f/{n}"), "guid": f"ferry-{n}",
                  "content": f"<p>Ferry {n} sailed on time for once.</p>"} for n in range(2)]
        feed = site.put("/feed.xml", rss(items, title="Coast News"), content_type="application/rss+xml")
        reply = client.post("/api/articles", json=[page_url, {"id": "obj", "text": "An article sent whole."}, feed])
    assert reply.status_code == 200, reply.text
    assert (reply.json()["added"], reply.json()["failed"]) == (4, 0)
    assert client.get("/api/articles/ferry-1").json()["source"] == "Coast News"
    hits = client.get("/api/search", params={"q": "pier spring", "mode": "bm25"}).json()["hits"]
    assert hits[0]["url"] == page_url and hits[0]["page"] is None


def test_qa_serve_takes_the_flag():
    assert build_parser().parse_args(["serve", "--allow-private-urls"]).allow_private_urls is True
    assert build_parser().parse_args(["serve"]).allow_private_urls is False
