"""The whole server as a user starts it (`qa serve`, app.py), and its progressive start: the API at once,
the chat page when it is built, Gradio imported only for the page and without rewriting its type stubs."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from live_server import live_server
from server_testing import CHROMIUM, ROOT, ask, chat_page_held, connect, reply_text, wait_until

import qa.server.app
from qa.server import create_app


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


# -- progressive start: the API at once, the chat page when it is built ----------------------------


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

    monkeypatch.setattr(qa.server.app, "_mounted_page", broken)
    with caplog.at_level(logging.ERROR, logger="qa.server.app"):
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


def test_a_chat_page_built_in_the_background_answers_gradio_client_once_ready(tiny_index):
    with live_server(create_app(tiny_index, chat_in_background=True)) as url:
        wait_until(lambda: httpx.get(f"{url}/api/health").json()["ui"] == "ready")
        _, chat, sources = ask(connect(url), "harbour")
    assert "Harbour reopens" in reply_text(chat) and "Harbour reopens" in sources


def test_the_server_modules_leave_gradio_to_the_chat_page():
    """Importing Gradio is most of a cold start; the API must not wait for it."""
    code = (
        "import sys, qa.server, qa.server.chat_html, qa.ingest.uploads; "
        "assert 'gradio' not in sys.modules, sorted(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)


def test_the_chat_page_imports_gradio_without_rewriting_its_type_stubs(tiny_index):
    """Gradio regenerates its .pyi files as it is imported, about half of `import gradio`; the server's
    chat page (in a fresh process, as `qa serve` builds it) imports Gradio without that, and leaves the
    process's import machinery as it found it."""
    code = (
        "import sys; from qa.server.service import IndexService; from qa.index import Index; import qa.server.app; "
        "assert 'gradio' not in sys.modules; finders = list(sys.meta_path); "
        f"qa.server.app._mounted_page(IndexService(Index.open({str(tiny_index.store.folder)!r})), examples=None, "
        "concurrency=1, max_upload_bytes=1000); "
        "assert sys.meta_path == finders, sys.meta_path; "
        "import gradio.component_meta as meta, gradio as gr; "
        "assert meta.create_or_modify_pyi.__module__ == 'qa.server.app', meta.create_or_modify_pyi; "
        "assert callable(gr.Textbox.submit) and callable(gr.Blocks.load)"  # event methods are still made
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=120)


def test_importing_the_chat_leaves_the_import_machinery_alone():
    """Only building the page skips the stub rewriting: importing qa.server.chat installs no import hook."""
    code = (
        "import sys; finders = list(sys.meta_path); import qa.server.chat, gradio.component_meta as meta; "
        "assert sys.meta_path == finders, sys.meta_path; "
        "assert meta.create_or_modify_pyi.__module__ == 'gradio.component_meta', meta.create_or_modify_pyi"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=120)


@pytest.mark.browser
def test_a_browser_that_arrives_while_the_chat_starts_is_shown_the_chat_when_it_is_ready(tiny_index, monkeypatch):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (scripts/test.sh does)")
    from playwright.sync_api import sync_playwright

    with chat_page_held(monkeypatch) as release:
        with live_server(create_app(tiny_index, chat_in_background=True)) as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            )
            page = browser.new_page()
            page.goto(url)
            assert "starting" in page.locator("#qa-starting").inner_text()
            release.set()
            page.wait_for_selector("#qa-question textarea", timeout=60_000)  # reloaded into the chat by itself
            browser.close()
