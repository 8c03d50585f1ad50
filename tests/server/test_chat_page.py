"""The chat page driven end to end through Gradio's own API with gradio_client against a real server:
questions, follow-ups, the answer as it is written, filters, uploads and the outlet menu."""

from __future__ import annotations

import os
import re
from pathlib import Path

import gradio as gr
import pytest
from fastapi.testclient import TestClient
from gradio_client import handle_file
from feed_files import page
from gradio_client.exceptions import AppError
from live_server import live_server
from server_testing import answer_of, ask, connect, hit, reply_text
from web_site import web_site

import qa.answer
from qa.index import Index
from qa.server import create_app
from qa.server.chat import ALL_OUTLETS, _add_files, index_facts
from qa.server.service import IndexService
from qa.store.writelock import WriteLock
from qa.types import Answer


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
        cleared, cleared_addresses, report, facts, outlets = client.predict(
            [handle_file(str(story)), handle_file(str(broken))], api_name="/add_articles"
        )
        _, chat, _ = ask(client, "glacier", outlet="Ice Weekly")
    assert cleared is None and cleared_addresses == ""
    assert "Added <b>1</b>" in report and "failed <b>1</b>" in report
    assert "broken.jsonl:1: missing field &#x27;text&#x27;" in report
    assert "<b>2</b> articles" in facts
    assert "Glacier retreats" in reply_text(chat)


def test_web_addresses_added_through_the_page_are_fetched_and_reported(tiny_index):
    with web_site() as site:
        story = page("Lighthouse keeper retires", ["The lighthouse keeper retired after forty years on the rock."])
        url = site.put("/lighthouse.html", story)
        with live_server(create_app(tiny_index, allow_private_urls=True)) as served:
            client = connect(served)
            _, cleared, report, facts, _ = client.predict(None, f"{url}\n{site.url('/gone.html')}", api_name="/add_articles")
    assert cleared == ""
    assert "Added <b>1</b>" in report and "failed <b>1</b>" in report
    assert "gone.html: HTTP 404 Not Found" in report
    assert "<b>2</b> articles" in facts
    assert tiny_index.article(url).title == "Lighthouse keeper retires"


def test_the_page_says_to_choose_files_or_addresses_first(tiny_index):
    with pytest.raises(gr.Error, match="Choose one or more files, or give web addresses"):
        _add_files(IndexService(tiny_index), None, "  ", lambda *args, **kwargs: None)


def test_an_upload_while_another_writer_holds_the_index_shows_who(tiny_index, tmp_path):
    story = tmp_path / "ferry.txt"
    story.write_text("Ferry late\n\nThe ferry was late again.\n")
    service = IndexService(tiny_index, write_wait=0.2)
    with WriteLock(tiny_index.store.folder).hold():  # another lock instance is another holder, as for flock
        with pytest.raises(gr.Error) as shown:
            _add_files(service, [str(story)], "", lambda *args, **kwargs: None)
    assert re.fullmatch(rf"the index is busy: .+ \(pid {os.getpid()} on [^\n]+", shown.value.message)
    assert tiny_index.stats()["articles"] == 1


def test_the_outlet_menu_offers_the_outlets_in_the_index(tiny_index):
    facts, menu = index_facts(IndexService(tiny_index))
    assert menu["choices"] == [ALL_OUTLETS, "Coast News"]
    assert "<b>1</b> articles" in facts and "chunks" in facts
    assert Path(tiny_index.store.manifest.model).name in facts


def test_the_page_refuses_uploads_over_the_size_limit(tiny_index):
    client = TestClient(create_app(tiny_index, max_upload_bytes=1000))
    small = client.post("/gradio_api/upload", files={"files": ("small.txt", b"Title\n\nBody.", "text/plain")})
    assert small.status_code == 200
    big = client.post("/gradio_api/upload", files={"files": ("big.txt", b"x" * 5000, "text/plain")})
    assert big.status_code == 413
