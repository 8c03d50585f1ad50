"""The chat page: what its HTML shows (numbered sources, highlighted citations, escaping), and the page
driven end to end through Gradio's own API with gradio_client against a real server."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError, AuthenticationError

import qa.answer
import qa.server
from live_server import live_server
from qa.api import IndexService
from qa.index import Index
from qa.ingest.uploads import articles_from_records
from qa.server import create_app
from qa.types import Answer, Citation, Hit, IngestError, IngestReport
from qa.ui import ALL_OUTLETS, _index_facts, answer_html, report_html, sources_html

PASSAGE = "Talks went on for hours. The minister said the deal was close. Reporters waited outside."
CITED = "The minister said the deal was close."


def hit(**overrides) -> Hit:
    fields = dict(
        article_id="a1", text=PASSAGE, start=100, end=100 + len(PASSAGE), score=0.8125, title="Deal near",
        url="https://news.example/deal", published="2022-01-21", source="Daily Planet",
    )
    return Hit(**{**fields, **overrides})


def citation(source_hit: Hit, number: int = 1) -> Citation:
    start = source_hit.text.index(CITED)
    return Citation(
        number=number, article_id=source_hit.article_id, start=source_hit.start + start,
        end=source_hit.start + start + len(CITED), text=CITED, title=source_hit.title, url=source_hit.url,
        published=source_hit.published, source=source_hit.source,
    )


def answer_of(*hits: Hit, cited: Hit | None = None) -> Answer:
    cited = cited or hits[0]
    return Answer(question="Is a deal near?", text=f"{CITED} [1]", citations=(citation(cited),), hits=hits)


def test_the_reply_numbers_each_source_with_title_outlet_date_link_and_the_cited_sentence_marked():
    reply = answer_html(answer_of(hit()))
    assert '<sup class="qa-ref">[1]</sup>' in reply
    assert '<span class="qa-num">[1]</span>' in reply
    assert '<a href="https://news.example/deal" target="_blank" rel="noopener noreferrer">Deal near</a>' in reply
    assert "Daily Planet · 21 Jan 2022" in reply
    assert f"<mark>{CITED}</mark>" in reply
    assert "Talks went on for hours." in reply  # the passage around the citation, for context
    assert "\n" not in reply  # one line, so the chat's Markdown leaves the HTML alone


def test_a_long_passage_is_trimmed_to_whole_words_around_the_cited_sentence():
    long_text = "Earlier words here. " * 40 + CITED + " Later words here." * 40
    long_hit = hit(text=long_text, end=100 + len(long_text))
    reply = answer_html(answer_of(long_hit))
    passage = reply.split('<p class="qa-passage">')[1].split("</p>")[0]
    assert passage.startswith("…") and passage.endswith("…")
    assert f"<mark>{CITED}</mark>" in passage
    assert len(passage) < 600
    assert passage.removeprefix("…").split(" ")[0] in {"Earlier", "words", "here."}


def test_article_text_and_metadata_are_escaped_and_only_web_links_are_links():
    payload = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    evil = hit(title=payload, source=payload, text=PASSAGE + payload, url="javascript:alert(3)",
               end=100 + len(PASSAGE + payload))
    for html in (answer_html(answer_of(evil)), sources_html(answer_of(evil))):
        assert "<img" not in html and "<script" not in html
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&lt;script&gt;" in html
        assert "href=" not in html  # the javascript: url is not made a link


def test_the_sources_panel_lists_every_hit_with_its_score_and_marks_the_cited_one():
    other = hit(article_id="a2", title="Weather", text="Rain all day.", start=0, end=13, score=0.5)
    panel = sources_html(answer_of(hit(), other))
    assert "2 passages for “Is a deal near?”" in panel
    assert panel.count('<span class="qa-rank">') == 2
    assert "0.812" in panel and "0.500" in panel
    assert "cited as [1]" in panel and panel.count("cited as") == 1
    assert f"<mark>{CITED}</mark>" in panel
    assert "No passage matched" in sources_html(Answer(question="?", text="none", kind="none"))


def test_the_upload_report_gives_counts_and_each_failure_with_its_reason():
    report = IngestReport(
        added=2, skipped=1, chunks=5, seconds=1.25,
        failed=(IngestError("<b>x</b>.jsonl:3", "missing field 'text'"),),
    )
    html = report_html(report)
    assert "Added <b>2</b>, replaced <b>0</b>, skipped <b>1</b>, failed <b>1</b>" in html
    assert "&lt;b&gt;x&lt;/b&gt;.jsonl:3: missing field &#x27;text&#x27;" in html


# -- through Gradio's API ----------------------------------------------------------------------


@pytest.fixture()
def tiny_index(tmp_path, tiny_embedder):
    with Index.open(tmp_path / "index", embedder=tiny_embedder, create=True) as index:
        index.add(articles_from_records([
            {"id": "s1", "title": "Harbour reopens", "text": "The harbour reopened after the storm. Boats left.",
             "source": "Coast News", "published": "2022-02-01"},
        ]))
        yield index


def connect(url: str) -> Client:
    return Client(url, verbose=False, analytics_enabled=False)


def ask(client: Client, question: str, *, outlet: str = ALL_OUTLETS, since=None, until=None, passages: int = 5):
    return client.predict(question, [], outlet, since, until, passages, api_name="/ask")


def reply_text(chat: list[dict]) -> str:
    content = chat[-1]["content"]
    return content if isinstance(content, str) else " ".join(part.get("text", "") for part in content)


@pytest.mark.minilm
def test_gradio_client_asks_about_article_5_and_gets_the_quote_with_its_source(sample_index_dir, minilm):
    with Index.open(sample_index_dir, embedder=minilm) as index, live_server(create_app(index)) as url:
        cleared, chat, sources = ask(connect(url), "What did Blinken say about Article 5?")
    assert cleared == ""
    assert chat[0]["role"] == "user" and chat[-1]["role"] == "assistant"
    reply = reply_text(chat)
    assert "Our Article 5 commitment extends to NATO allies" in reply
    assert "[1]" in reply and "Blinken and Lavrov plan more talks" in reply
    assert "Washington Examiner · 21 Jan 2022" in reply
    assert "Blinken and Lavrov plan more talks" in sources and 'class="qa-score"' in sources


def test_a_follow_up_question_is_asked_with_the_conversation_so_far(tiny_index, monkeypatch):
    histories = []

    def recording_ask_stream(index, question, *, history, **options):
        histories.append(list(history))
        yield f"Answer to {question}"
        yield Answer(question=question, text=f"Answer to {question}", kind="none")

    monkeypatch.setattr(qa.answer, "ask_stream", recording_ask_stream)
    with live_server(create_app(tiny_index)) as url:
        client = connect(url)
        ask(client, "When did the harbour reopen?")
        ask(client, "And the boats?")
    assert histories == [[], [("When did the harbour reopen?", "Answer to When did the harbour reopen?")]]


def test_the_chat_shows_the_question_at_once_and_the_answer_as_it_is_written(tiny_index, monkeypatch):
    def slow_writer(index, question, *, history, **options):
        yield "The harbour "
        yield "reopened [1]."
        yield answer_of(hit())

    monkeypatch.setattr(qa.answer, "ask_stream", slow_writer)
    with live_server(create_app(tiny_index)) as url:
        job = connect(url).submit("When?", [], ALL_OUTLETS, None, None, 5, api_name="/ask")
        job.result(timeout=60)
        steps = [reply_text(chat) for _, chat, _ in job.outputs()]
    assert "When?" in steps[0] and "harbour" not in steps[0]
    assert any("The harbour </div>" in step for step in steps)
    assert 'reopened <sup class="qa-ref">[1]</sup>.' in steps[-2]
    assert "qa-citation" not in steps[-2] and "qa-citation" in steps[-1]


def test_filters_reach_the_search_and_bad_input_is_shown_as_a_message(tiny_index):
    with live_server(create_app(tiny_index)) as url:
        client = connect(url)
        _, chat, _ = ask(client, "harbour", outlet="Coast News", since="2022-01-01", until="2022-12-31", passages=3)
        assert "Harbour reopens" in reply_text(chat)
        _, chat, sources = ask(client, "harbour", outlet="Other Outlet")
        assert "No passage matched" in sources
        with pytest.raises(AppError, match="Type a question first"):
            ask(client, "   ")
        with pytest.raises(AppError, match="since"):
            ask(client, "harbour", since="yesterday-ish")


def test_files_added_through_the_page_are_searchable_and_reported(tiny_index, tmp_path):
    story = tmp_path / "glacier.md"
    story.write_text(
        "---\nsource: Ice Weekly\npublished: 2022-03-01\n---\n# Glacier retreats\n\nThe glacier lost ice.\n"
    )
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"title": "no text"}\n')
    with live_server(create_app(tiny_index)) as url:
        client = connect(url)
        cleared, report, facts, outlets = client.predict(
            [handle_file(str(story)), handle_file(str(broken))], api_name="/add_articles"
        )
        _, chat, _ = ask(client, "glacier", outlet="Ice Weekly")
    assert cleared is None
    assert "Added <b>1</b>" in report and "failed <b>1</b>" in report
    assert "broken.jsonl:1: missing field &#x27;text&#x27;" in report
    assert "<b>2</b> articles" in facts
    assert "Glacier retreats" in reply_text(chat)


def test_the_outlet_menu_offers_the_outlets_in_the_index(tiny_index):
    facts, menu = _index_facts(IndexService(tiny_index))
    assert menu["choices"] == [ALL_OUTLETS, "Coast News"]
    assert "<b>1</b> articles" in facts and "chunks" in facts
    assert Path(tiny_index.store.manifest.model).name in facts


def test_the_page_refuses_uploads_over_the_size_limit(tiny_index):
    client = TestClient(create_app(tiny_index, max_upload_bytes=1000))
    small = client.post("/gradio_api/upload", files={"files": ("small.txt", b"Title\n\nBody.", "text/plain")})
    assert small.status_code == 200
    big = client.post("/gradio_api/upload", files={"files": ("big.txt", b"x" * 5000, "text/plain")})
    assert big.status_code == 413


def test_gradio_client_gets_in_with_the_bearer_token_only(tiny_index):
    with live_server(create_app(tiny_index, auth_token="s3cret")) as url:
        with pytest.raises(AuthenticationError):
            connect(url)
        client = Client(url, verbose=False, analytics_enabled=False, headers={"Authorization": "Bearer s3cret"})
        _, chat, _ = ask(client, "harbour")
    assert "Harbour reopens" in reply_text(chat)


# -- progressive start ---------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"


def wait_for_chat(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while httpx.get(f"{url}/api/health").json()["ui"] != "ready":
        assert time.monotonic() < deadline, "the chat page never became ready"
        time.sleep(0.05)


def test_a_chat_page_built_in_the_background_answers_gradio_client_once_ready(tiny_index):
    with live_server(create_app(tiny_index, chat_in_background=True)) as url:
        wait_for_chat(url)
        _, chat, sources = ask(connect(url), "harbour")
    assert "Harbour reopens" in reply_text(chat) and "Harbour reopens" in sources


def test_the_chat_page_imports_gradio_without_rewriting_its_type_stubs(tiny_index):
    """Gradio regenerates its .pyi files as it is imported, about half of `import gradio`; the server's
    chat page (in a fresh process, as `qa serve` builds it) imports Gradio through qa.ui, which skips that."""
    code = (
        "import sys; from qa.api import IndexService; from qa.index import Index; import qa.server; "
        "assert 'gradio' not in sys.modules; "
        f"qa.server._mounted_page(IndexService(Index.open({str(tiny_index.store.folder)!r})), examples=None, "
        "concurrency=1, max_upload_bytes=1000); "
        "import gradio.component_meta as meta, gradio as gr; "
        "assert meta.create_or_modify_pyi.__module__ == 'qa.ui', meta.create_or_modify_pyi; "
        "assert callable(gr.Textbox.submit) and callable(gr.Blocks.load)"  # event methods are still made
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=120)


@pytest.mark.browser
def test_a_browser_that_arrives_while_the_chat_starts_is_shown_the_chat_when_it_is_ready(tiny_index, monkeypatch):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (scripts/test.sh does)")
    from playwright.sync_api import sync_playwright

    release = threading.Event()
    build = qa.server._mounted_page

    def held(*args, **kwargs):  # the real page, built only when the test says so
        assert release.wait(60)
        return build(*args, **kwargs)

    monkeypatch.setattr(qa.server, "_mounted_page", held)
    try:
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
    finally:
        release.set()
