"""The REST API through the whole server stack: JSON shapes, status codes, uploads, limits, offline docs
and errors."""

from __future__ import annotations

import json
import logging
import re

import pytest
from fastapi.testclient import TestClient
from server_testing import three_story_index

from qa.server import create_app

HIT_FIELDS = {"article_id", "title", "url", "published", "source", "text", "start", "end", "score"}


@pytest.fixture(scope="module")
def reader(tmp_path_factory, tiny_embedder):
    """A client for tests that change nothing, sharing one server (building one takes a second)."""
    with three_story_index(tmp_path_factory.mktemp("reader") / "index", tiny_embedder) as index:
        yield TestClient(create_app(index))


@pytest.fixture()
def client(index):
    return TestClient(create_app(index))


def test_search_returns_hits_with_each_documented_field_and_the_ingest_id(reader):
    reply = reader.get("/api/search", params={"q": "alpha bravo", "k": 2})
    assert reply.status_code == 200
    body = reply.json()
    assert body["query"] == "alpha bravo"
    assert 1 <= len(body["hits"]) <= 2
    for hit in body["hits"]:
        assert HIT_FIELDS <= set(hit)
        assert hit["article_id"] in {"story-1", "story-2", "story-3"}
        assert hit["url"] == f"https://news.example/{hit['article_id'].split('-')[1]}"


def test_search_filters_by_outlet_and_dates(reader):
    by_outlet = reader.get("/api/search", params={"q": "alpha", "k": 10, "source": "Gazette"}).json()["hits"]
    assert [hit["article_id"] for hit in by_outlet] == ["story-2"]
    in_2022 = reader.get("/api/search", params={"q": "alpha", "k": 10, "since": "2022-01-01"}).json()["hits"]
    assert {hit["article_id"] for hit in in_2022} == {"story-1", "story-3"}
    until = reader.get("/api/search", params={"q": "alpha", "k": 10, "until": "2022-01-31"}).json()["hits"]
    assert {hit["article_id"] for hit in until} == {"story-1", "story-2"}


def test_search_passes_mode_and_as_of_through_to_the_index(reader):
    keyword = reader.get("/api/search", params={"q": "zzzz", "mode": "bm25"})
    assert keyword.status_code == 200 and keyword.json()["hits"] == []  # no article has that word
    wrong = reader.get("/api/search", params={"q": "alpha", "mode": "psychic"})
    assert wrong.status_code == 400 and "psychic" in wrong.json()["error"]
    as_of = reader.get("/api/search", params={"q": "alpha", "k": 10, "as_of": "2021-12-31"}).json()["hits"]
    assert [hit["article_id"] for hit in as_of] == ["story-2"]


@pytest.mark.parametrize(
    ("params", "complaint"),
    [
        ({"q": ""}, "empty query"),
        ({"q": "   "}, "empty query"),
        ({}, "q"),
        ({"q": "alpha", "k": 0}, "k"),
        ({"q": "alpha", "k": 101}, "k"),
        ({"q": "alpha", "k": "many"}, "k"),
        ({"q": "alpha", "since": "last week"}, "since"),
        ({"q": "alpha", "until": "2022-13-01"}, "until"),
    ],
)
def test_bad_search_parameters_are_a_400_with_a_one_line_reason(reader, params, complaint):
    reply = reader.get("/api/search", params=params)
    assert reply.status_code == 400
    assert reply.headers["content-type"].startswith("application/json")
    error = reply.json()["error"]
    assert complaint in error and "\n" not in error


def test_ask_answers_with_citations_that_point_into_the_hits(reader):
    reply = reader.post("/api/ask", json={"question": "alpha bravo", "history": [["hi", "hello"]], "k": 3})
    assert reply.status_code == 200
    body = reply.json()
    assert body["answer"] and "[1]" in body["answer"]
    assert body["citations"] and body["hits"]
    first = body["citations"][0]
    assert first["number"] == 1
    cited_hit = next(hit for hit in body["hits"] if hit["article_id"] == first["article_id"])
    assert cited_hit["start"] <= first["start"] < first["end"] <= cited_hit["end"]


def test_ask_passes_mode_and_as_of_through(reader):
    older = reader.post("/api/ask", json={"question": "alpha", "k": 10, "as_of": "2021-12-31", "mode": "dense"})
    assert older.status_code == 200
    assert {hit["article_id"] for hit in older.json()["hits"]} == {"story-2"}
    assert reader.post("/api/ask", json={"question": "alpha", "mode": "psychic"}).status_code == 400


@pytest.mark.parametrize(
    "body", [{"question": ""}, {"question": "x", "k": 0}, {"question": "x", "history": "no"}, {"k": 3}]
)
def test_bad_ask_requests_are_a_400(reader, body):
    reply = reader.post("/api/ask", json=body)
    assert reply.status_code == 400 and reply.json()["error"]


def test_posting_a_json_list_reports_each_bad_article_by_its_position(client):
    articles = [
        {"id": "new-1", "title": "Lunar base", "text": "The lunar base opened its greenhouse. " * 5, "source": "Orbit"},
        {"id": "bad", "title": "No text"},
        "not an object",
        {"id": "story-1", "text": "A rewritten story one. " * 5},
    ]
    reply = client.post("/api/articles", json=articles)
    assert reply.status_code == 200
    report = reply.json()
    assert (report["added"], report["replaced"], report["skipped"], report["failed"]) == (1, 1, 0, 2)
    reasons = {error["origin"]: error["reason"] for error in report["errors"]}
    assert reasons == {
        "articles[1]": "missing field 'text'", "articles[2]": "expected a JSON object (an article) or an http(s) address, got a string",
    }
    stored = client.get("/api/articles/new-1").json()
    assert stored["text"].startswith("The lunar base") and stored["source"] == "Orbit"
    again = client.post("/api/articles", json=articles[:1]).json()
    assert (again["added"], again["skipped"]) == (0, 1)


@pytest.mark.parametrize("body", [b"{not json", b'{"id": "x", "text": "an object, not a list"}', b"[]"])
def test_a_json_body_that_is_not_a_list_of_articles_is_a_400(reader, body):
    reply = reader.post("/api/articles", content=body, headers={"content-type": "application/json"})
    assert reply.status_code == 400 and reply.json()["error"]


def test_uploaded_files_are_ingested_and_reported_under_the_users_file_names(client, tmp_path):
    jsonl = b'{"id": "up-1", "title": "Harbour", "text": "The harbour reopened after the storm."}\n{"title": "x"}\n'
    markdown = "# Volcano watch\n\nThe volcano on the island rumbled all night.\n".encode()
    reply = client.post(
        "/api/articles",
        files=[
            ("files", ("../../outside.jsonl", jsonl, "application/octet-stream")),
            ("files", ("notes/volcano.md", markdown, "text/markdown")),
            ("files", ("photo.png", b"\x89PNG", "image/png")),
        ],
    )
    assert reply.status_code == 200
    report = reply.json()
    assert (report["added"], report["failed"]) == (2, 2)
    reasons = {error["origin"]: error["reason"] for error in report["errors"]}
    assert reasons["outside.jsonl:2"] == "missing field 'text'"
    assert "unsupported file type '.png'" in reasons["photo.png"]
    assert client.get("/api/articles/up-1").json()["origin"] == "outside.jsonl:1"
    assert not (tmp_path.parent / "outside.jsonl").exists()
    volcano = client.get("/api/search", params={"q": "volcano", "mode": "bm25"}).json()["hits"]
    assert volcano[0]["title"] == "Volcano watch"


def test_an_upload_of_nothing_readable_is_a_422_naming_the_reason(client):
    reply = client.post("/api/articles", files={"file": ("notes.txt", b"\xff\xfe not utf-8", "text/plain")})
    assert reply.status_code == 422
    body = reply.json()
    assert "notes.txt" in body["error"] and "UTF-8" in body["error"]
    assert body["added"] == 0 and body["failed"] == 1


def test_an_upload_over_the_size_limit_is_a_413(index):
    client = TestClient(create_app(index, max_upload_bytes=1000))
    big = json.dumps([{"text": "word " * 400}]).encode()
    reply = client.post("/api/articles", content=big, headers={"content-type": "application/json"})
    assert reply.status_code == 413 and "limit" in reply.json()["error"]
    upload = client.post("/api/articles", files={"file": ("big.txt", b"Title\n\n" + b"x" * 2000, "text/plain")})
    assert upload.status_code == 413
    assert client.get("/api/stats").json()["articles"] == 3


def test_an_article_can_be_read_and_deleted_and_then_is_gone(client):
    full = client.get("/api/articles/story-2")
    assert full.status_code == 200
    assert full.json()["title"] == "Story 2" and len(full.json()["text"]) > 50
    assert client.delete("/api/articles/story-2").json() == {"deleted": "story-2"}
    assert client.get("/api/articles/story-2").status_code == 404
    assert client.delete("/api/articles/story-2").status_code == 404
    hits = client.get("/api/search", params={"q": "alpha", "k": 10}).json()["hits"]
    assert "story-2" not in {hit["article_id"] for hit in hits}
    missing = client.get("/api/articles/no-such-story")
    assert missing.status_code == 404 and "no-such-story" in missing.json()["error"]
    # an id with a line break reaches no route (found by the schema test's random examples): refused alike
    for method in ("GET", "DELETE"):
        broken = client.request(method, "/api/articles/%3D%0A%15")
        assert broken.status_code == 404 and broken.json() == {"error": "Not Found"}


def test_stats_and_health(reader):
    stats = reader.get("/api/stats").json()
    assert stats["articles"] == 3 and stats["chunks"] >= 3 and stats["model"].endswith("tiny-st")
    assert "path" not in stats
    assert reader.get("/api/health").json() == {"status": "ok", "ui": "ready"}
    assert reader.get("/api/nowhere").json() == {"error": "Not Found"}


def test_the_openapi_page_and_schema_are_served_under_api(reader):
    page = reader.get("/api/docs").text
    assert "/api/openapi.json" in page
    # Swagger UI comes from this server, not a CDN: the page works offline.
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets and all(asset.startswith("/api/docs-assets/") for asset in assets)
    for asset in assets:
        assert reader.get(asset).status_code == 200
    paths = reader.get("/api/openapi.json").json()["paths"]
    assert {"/search", "/ask", "/articles", "/articles/{article_id}", "/stats", "/health"} <= set(paths)


def test_an_unexpected_error_is_a_bare_500_and_is_logged(index, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("secret detail of /srv/index")

    monkeypatch.setattr(index, "search", broken)
    client = TestClient(create_app(index), raise_server_exceptions=False)
    with caplog.at_level(logging.ERROR, logger="qa.server.api"):
        reply = client.get("/api/search", params={"q": "alpha"})
    assert reply.status_code == 500
    assert reply.json() == {"error": "internal server error"}
    assert "secret" not in reply.text
    assert "secret detail" in caplog.text


def test_search_shows_a_story_once_with_its_copies_and_all_copies_shows_each(tmp_path, tiny_embedder):
    from qa.index import Index
    from qa.types import Article

    wire = " ".join(f"The harbour reopened on day {n} after the storm, and the first boats left at dawn." for n in range(30))
    with Index.open(tmp_path / "index", embedder=tiny_embedder, create=True) as index:
        index.add([
            Article(id="ap", text=wire, source="AP", url="https://ap.example/1", published="2022-02-01"),
            Article(id="coast", text=f"{wire} Reprinted by Coast News.", source="Coast News", published="2022-02-02"),
        ])
        client = TestClient(create_app(index))
        hits = client.get("/api/search", params={"q": "harbour reopened"}).json()["hits"]
        assert len(hits) == 1
        assert [copy["article_id"] for copy in hits[0]["also_in"]] == [({"ap", "coast"} - {hits[0]["article_id"]}).pop()]
        every = client.get("/api/search", params={"q": "harbour reopened", "all_copies": "true"}).json()["hits"]
        assert sorted(hit["article_id"] for hit in every) == ["ap", "coast"]
