"""Security headers on every kind of response, the same-origin check on a signed-in browser's changes,
the token compared in constant time, and the limit on wrong tokens at /login."""

from __future__ import annotations

import hmac
import re

import pytest
from fastapi.testclient import TestClient
from server_testing import chat_page_held, wait_until

from qa.server import create_app
from qa.server.auth import SESSION_COOKIE
from qa.server.security import LoginLimiter, inline_script_hashes

TOKEN = "s3cret"
OWN = "http://testserver"  # TestClient's origin
ASK = {"question": "harbour"}


def _directives(response) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return {name: sources for name, _, sources in (part.strip().partition(" ") for part in policy.split(";"))}


def _assert_secured(response) -> dict[str, str]:
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-frame-options"] == "DENY"
    directives = _directives(response)
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert "'unsafe-inline'" not in directives["script-src"]
    return directives


@pytest.fixture()
def client(tiny_index):
    return TestClient(create_app(tiny_index))


@pytest.fixture()
def signed_in(tiny_index):
    """A client of a token-guarded server, signed in with the form: its session is the cookie alone."""
    with TestClient(create_app(tiny_index, auth_token=TOKEN), follow_redirects=False) as client:
        assert client.post("/login", data={"token": TOKEN}, headers={"origin": OWN}).status_code == 303
        yield client


def test_every_kind_of_response_carries_the_security_headers(client):
    for path in ("/api/stats", "/api/health", "/api/nothing-here", "/api/docs-assets/swagger-ui.css",
                 "/api/openapi.json", "/config", "/theme.css"):
        directives = _assert_secured(client.get(path))
        assert directives["script-src"] == "'self'", path  # no inline script outside the known pages
    assert client.get("/api/nothing-here").status_code == 404


def test_the_chat_and_docs_pages_allow_exactly_their_own_inline_scripts(client):
    chat = client.get("/", headers={"accept": "text/html"})
    docs = client.get("/api/docs")
    for page, eval_needed in ((chat, True), (docs, False)):
        assert page.status_code == 200
        scripts = _assert_secured(page)["script-src"].split()
        hashes = inline_script_hashes(page.content)
        assert hashes and scripts == ["'self'", *(["'unsafe-eval'"] if eval_needed else []), *hashes]
        assert _assert_secured(page)["style-src"] == "'self' 'unsafe-inline'"


def test_an_injected_inline_script_is_not_among_the_hashes():
    page = b'<script>ok()</script><script src="/a.js"></script><div><script type="module">also()</script>'
    assert len(inline_script_hashes(page)) == 2
    assert inline_script_hashes(page + b"<script>evil()</script>")[-1] not in inline_script_hashes(page)


def test_the_starting_and_sign_in_pages_are_secured_too(tiny_index, monkeypatch):
    with chat_page_held(monkeypatch) as release, TestClient(create_app(tiny_index, chat_in_background=True)) as first:
        starting = first.get("/")
        assert starting.status_code == 503 and "qa-starting" in starting.text
        assert len(_assert_secured(starting)["script-src"].split()) == 3  # 'self' 'unsafe-eval' and its one script
        release.set()
        # Gradio's page-building context is shared by the process: the next page is built after this one.
        wait_until(lambda: first.get("/api/health").json()["ui"] != "starting")
    guarded = TestClient(create_app(tiny_index, auth_token=TOKEN))
    for response in (guarded.get("/login"), guarded.get("/", headers={"accept": "text/html"})):
        assert response.status_code in (200, 401) and 'name="token"' in response.text
        _assert_secured(response)
    _assert_secured(guarded.get("/api/stats"))


def test_a_signed_in_browser_changes_things_only_from_this_servers_pages(signed_in):
    for headers in ({"origin": OWN}, {"referer": f"{OWN}/"}):
        assert signed_in.post("/api/ask", json=ASK, headers=headers).status_code == 200
    for headers in ({"origin": "http://evil.example"}, {"origin": "http://testserver:8080"},
                    {"origin": "https://testserver"}, {"origin": "null"}, {"referer": "http://evil.example/x"}, {}):
        refused = signed_in.post("/api/ask", json=ASK, headers=headers)
        assert refused.status_code == 403, headers
        assert refused.json()["error"].startswith("refused") and "\n" not in refused.text
        _assert_secured(refused)
    refused = signed_in.delete("/api/articles/s1", headers={"origin": "http://evil.example"})
    assert refused.status_code == 403 and signed_in.get("/api/articles/s1").status_code == 200
    assert signed_in.get("/api/stats", headers={"origin": "http://evil.example"}).status_code == 200  # reads pass


def test_bearer_token_clients_are_not_asked_where_they_come_from(tiny_index):
    client = TestClient(create_app(tiny_index, auth_token=TOKEN))
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    assert client.post("/api/ask", json=ASK, headers=bearer).status_code == 200
    assert client.post("/api/ask", json=ASK, headers={**bearer, "origin": "http://evil.example"}).status_code == 200
    assert client.post("/api/ask", json=ASK, headers={"origin": OWN}).status_code == 401  # no credential at all


def test_tokens_and_sessions_are_compared_in_constant_time(tiny_index, monkeypatch):
    compared, compare = [], hmac.compare_digest

    def recording(a, b):
        compared.append((a, b))
        return compare(a, b)

    monkeypatch.setattr(hmac, "compare_digest", recording)
    client = TestClient(create_app(tiny_index, auth_token=TOKEN), follow_redirects=False)
    assert client.get("/api/stats", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert any(TOKEN.encode() in pair for pair in compared)
    compared.clear()
    assert client.post("/login", data={"token": TOKEN}).status_code == 303
    assert compared, "the login form's token was not compared with hmac.compare_digest"
    session = client.cookies[SESSION_COOKIE]
    compared.clear()
    assert client.get("/api/stats").status_code == 200
    assert any(session.encode() in pair for pair in compared), "the session cookie was not compared in constant time"


def test_wrong_tokens_at_login_are_limited_per_client_until_the_window_passes(tiny_index):
    app = create_app(tiny_index, auth_token=TOKEN)
    now = [1000.0]
    app.state.login_limiter.clock = lambda: now[0]
    client = TestClient(app, follow_redirects=False)
    for _ in range(app.state.login_limiter.attempts):
        assert client.post("/login", data={"token": "guess"}).status_code == 401
    for token in ("guess", TOKEN):  # while limited, even the right token is not tried
        limited = client.post("/login", data={"token": token})
        assert limited.status_code == 429 and 0 < int(limited.headers["retry-after"]) <= 60
        assert re.fullmatch(r'\{"error":"too many wrong tokens; try again in \d+ s"\}', limited.text)
    now[0] += 61
    assert client.post("/login", data={"token": TOKEN}).status_code == 303


def test_the_login_limiter_forgets_old_clients_and_old_failures():
    now = [0.0]
    limiter = LoginLimiter(attempts=2, window=10, max_clients=3, clock=lambda: now[0])
    for client in ("a", "b", "c", "d", "e"):
        limiter.failed(client)
        limiter.failed(client)
    assert len(limiter._failures) == 3 and limiter.retry_after("a") == 0 and limiter.retry_after("e") == 10
    now[0] = 4.5
    assert limiter.retry_after("e") == 6
    now[0] = 10
    assert limiter.retry_after("e") == 0
    limiter.failed("e")
    limiter.succeeded("e")
    assert limiter.retry_after("e") == 0
