"""The REST API through the whole server stack: JSON shapes, status codes, uploads, limits, the access
token, concurrency, and `qa serve` / app.py as a user starts them."""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient

import qa.server
from live_server import live_server
from qa.index import Index
from qa.server import SESSION_COOKIE, create_app
from qa.types import Article

ROOT = Path(__file__).resolve().parent.parent
WORDS = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar".split()
HIT_FIELDS = {"article_id", "title", "url", "published", "source", "text", "start", "end", "score"}


def article(number: int, *, source: str = "Daily Planet", published: str = "2022-01-10") -> Article:
    rng = np.random.default_rng(number)
    text = ". ".join(" ".join(rng.choice(WORDS, 10)) for _ in range(5)) + "."
    return Article(
        id=f"story-{number}", text=text, title=f"Story {number}", url=f"https://news.example/{number}",
        source=source, published=published,
    )


def three_story_index(folder: Path, embedder) -> Index:
    index = Index.open(folder, embedder=embedder, create=True)
    index.add([article(1), article(2, source="Gazette", published="2021-06-01"), article(3, published="2022-03-05")])
    return index


@pytest.fixture(scope="module")
def reader(tmp_path_factory, tiny_embedder):
    """A client for tests that change nothing, sharing one server (building one takes a second)."""
    with three_story_index(tmp_path_factory.mktemp("reader") / "index", tiny_embedder) as index:
        yield TestClient(create_app(index))


@pytest.fixture()
def index(tmp_path, tiny_embedder):
    with three_story_index(tmp_path / "index", tiny_embedder) as opened:
        yield opened


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
    assert reasons == {"articles[1]": "missing field 'text'", "articles[2]": "expected a JSON object, got string"}
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
    with caplog.at_level(logging.ERROR, logger="qa.api"):
        reply = client.get("/api/search", params={"q": "alpha"})
    assert reply.status_code == 500
    assert reply.json() == {"error": "internal server error"}
    assert "secret" not in reply.text
    assert "secret detail" in caplog.text


# -- the access token ----------------------------------------------------------------------------


def test_a_token_guards_the_api_and_the_page_but_not_health(index):
    client = TestClient(create_app(index, auth_token="s3cret"))
    refused = client.get("/api/stats")
    assert refused.status_code == 401 and refused.json()["error"]
    assert client.get("/api/stats", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/api/stats", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    assert client.get("/api/health").status_code == 200
    assert client.get("/config").status_code == 401  # the Gradio app behind the page


def test_a_browser_signs_in_once_with_the_form_and_then_has_a_session_cookie(index):
    client = TestClient(create_app(index, auth_token="s3cret"), follow_redirects=False)
    login_page = client.get("/", headers={"accept": "text/html"})
    assert login_page.status_code == 401 and 'name="token"' in login_page.text
    assert 'name="token"' in client.get("/login").text
    assert client.post("/login", data={"token": "guess"}).status_code == 401
    signed_in = client.post("/login", data={"token": "s3cret"})
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/"
    cookie = signed_in.cookies[SESSION_COOKIE]
    assert "s3cret" not in cookie
    assert "httponly" in signed_in.headers["set-cookie"].lower()
    assert client.get("/", headers={"accept": "text/html"}).status_code == 200
    assert client.get("/api/stats").status_code == 200


# -- a real server ---------------------------------------------------------------------------------


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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_health(url: str, process: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited: {process.stderr.read() if process.stderr else ''}")
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.3)
    raise AssertionError("server did not come up")


def test_qa_serve_starts_the_chat_and_the_api_on_loopback(index, tmp_path):
    port = _free_port()
    index.close()
    environment = {**os.environ, "QA_AUTH_TOKEN": "t0ken"}
    process = subprocess.Popen(
        [sys.executable, "-m", "qa.cli", "serve", "--index", str(tmp_path / "index"), "--port", str(port)],
        cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        started = time.monotonic()
        _wait_for_health(url, process)
        auth = {"Authorization": "Bearer t0ken"}
        hits = httpx.get(f"{url}/api/search", params={"q": "alpha"}, headers=auth, timeout=30).json()["hits"]
        answered_after = time.monotonic() - started
        assert hits and hits[0]["article_id"].startswith("story-")
        assert httpx.get(f"{url}/api/stats", timeout=10).status_code == 401
        # The API answers first; the chat follows as soon as Gradio is imported and the page built.
        wait_until(lambda: httpx.get(f"{url}/api/health", timeout=10).json()["ui"] == "ready", seconds=90)
        page = httpx.get(url, headers={**auth, "accept": "text/html"}, timeout=10)
        assert page.status_code == 200 and "gradio_config" in page.text
        assert answered_after < 60
    finally:
        process.terminate()
        process.wait(timeout=30)


# -- progressive start: the API at once, the chat page when it is built ----------------------------


def wait_until(condition: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


@contextmanager
def chat_page_held(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """The real chat page, built only once the test sets the event it is given: a server seen while starting."""
    release = threading.Event()
    build = qa.server._mounted_page

    def held(*args, **kwargs):
        assert release.wait(60), "the test never let the chat page be built"
        return build(*args, **kwargs)

    monkeypatch.setattr(qa.server, "_mounted_page", held)
    try:
        yield release
    finally:
        release.set()


def test_the_api_answers_while_the_chat_page_is_starting_and_the_page_follows(index, monkeypatch):
    with chat_page_held(monkeypatch) as release, live_server(create_app(index, chat_in_background=True)) as url:
        assert httpx.get(f"{url}/api/health").json() == {"status": "ok", "ui": "starting"}
        assert httpx.get(f"{url}/api/search", params={"q": "alpha"}).json()["hits"]
        starting = httpx.get(url, headers={"accept": "text/html"})
        assert starting.status_code == 503 and starting.headers["retry-after"] == "1"
        assert "starting" in starting.text and "/api/health" in starting.text and "gradio" not in starting.text
        gradio_route = httpx.get(f"{url}/config")
        assert gradio_route.status_code == 503 and "starting" in gradio_route.json()["error"]

        release.set()
        wait_until(lambda: httpx.get(f"{url}/api/health").json()["ui"] == "ready")
        page = httpx.get(url, headers={"accept": "text/html"})
        assert page.status_code == 200 and "gradio_config" in page.text
        assert httpx.get(f"{url}/config").status_code == 200


def test_with_a_token_a_starting_server_still_asks_a_browser_to_sign_in(index, monkeypatch):
    with chat_page_held(monkeypatch):
        with live_server(create_app(index, auth_token="s3cret", chat_in_background=True)) as url:
            assert httpx.get(f"{url}/api/health").json()["ui"] == "starting"
            refused = httpx.get(url, headers={"accept": "text/html"})
            assert refused.status_code == 401 and 'action="/login"' in refused.text
            signed_in = httpx.get(url, headers={"accept": "text/html", "Authorization": "Bearer s3cret"})
            assert signed_in.status_code == 503 and "starting" in signed_in.text


def test_a_chat_page_that_fails_to_build_leaves_the_api_serving(index, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("no page today")

    monkeypatch.setattr(qa.server, "_mounted_page", broken)
    with caplog.at_level(logging.ERROR, logger="qa.server"):
        with live_server(create_app(index, chat_in_background=True)) as url:
            wait_until(lambda: httpx.get(f"{url}/api/health").json()["ui"] == "failed")
            assert httpx.get(f"{url}/api/search", params={"q": "alpha"}).json()["hits"]
            page = httpx.get(url, headers={"accept": "text/html"})
            assert page.status_code == 500 and "failed to start" in page.text
    assert "no page today" in caplog.text


def test_a_server_stopped_while_its_chat_page_is_starting_stops_at_once(index, monkeypatch):
    with chat_page_held(monkeypatch):
        with live_server(create_app(index, chat_in_background=True)) as url:
            assert httpx.get(f"{url}/api/health").json()["ui"] == "starting"
            stopping = time.monotonic()
        assert time.monotonic() - stopping < 5


def test_the_server_module_leaves_gradio_to_the_chat_page():
    """Importing Gradio is most of a cold start; the API must not wait for it."""
    code = "import sys, qa.server; assert 'gradio' not in sys.modules, sorted(sys.modules)"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)


def test_app_py_builds_the_sample_index_once_and_reuses_it(tmp_path, tiny_embedder, monkeypatch):
    sys.path.insert(0, str(ROOT))
    import app

    monkeypatch.setattr("qa.index.load_embedder", lambda name, backend: tiny_embedder)
    folder = str(tmp_path / "index")
    app.build_sample_index(folder)
    manifest = (tmp_path / "index" / "manifest.json").read_text()
    assert json.loads(manifest)["articles"] == 1
    app.build_sample_index(folder)
    assert (tmp_path / "index" / "manifest.json").read_text() == manifest  # opened as is: nothing re-embedded
