"""The access token: bearer tokens for API clients and gradio_client, a sign-in form and session cookie for
browsers, and /api/health left open for monitors."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from gradio_client.exceptions import AuthenticationError
from live_server import live_server
from server_testing import ask, connect, reply_text

from qa.server import create_app
from qa.server.auth import SESSION_COOKIE


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


def test_gradio_client_gets_in_with_the_bearer_token_only(tiny_index):
    with live_server(create_app(tiny_index, auth_token="s3cret")) as url:
        with pytest.raises(AuthenticationError):
            connect(url)
        client = connect(url, headers={"Authorization": "Bearer s3cret"})
        _, chat, _ = ask(client, "harbour")
    assert "Harbour reopens" in reply_text(chat)
