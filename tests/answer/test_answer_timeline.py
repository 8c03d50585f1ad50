"""A speaker's timeline (qa.answer.timeline): every quotation of one person, oldest first, exact spans,
the same words from several outlets listed once; through the Python API, the chat question, the REST API
and the CLI."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from qa.answer import ask, speaker_timeline
from qa.cli import main
from qa.errors import QAError
from qa.index import Index
from qa.server import create_app
from qa.types import Article

WIRE = "“We will defend every inch of NATO territory, and our allies know it,”"
ARTICLES = [
    Article(id="late", title="Talks end", source="Daily Post", published="2022-03-02", url="https://post.example/late",
            text="Secretary of State Antony Blinken spoke after the talks.\n\n"
                 "“Sanctions will follow any invasion of Ukraine, swift and severe,” Blinken said on Wednesday."),
    Article(id="early", title="Allies meet", source="Herald", published="2022-01-20", url="https://herald.example/a",
            text=f"Secretary of State Antony Blinken met allies in Brussels.\n\n{WIRE} Blinken said on Thursday."),
    Article(id="copy", title="Allies meet (wire)", source="Wire Times", published="2022-01-21",
            url="https://wire.example/b",
            text=f"U.S. Secretary of State Antony Blinken visited Brussels.\n\n{WIRE} Blinken said there."),
    Article(id="other", title="Markets", source="Herald", published="2022-02-10",
            text="“Inflation is falling faster than anyone expected this spring,” said economist Mary Jones."),
]


@pytest.fixture()
def index(articles_index: Index) -> Index:
    return articles_index


def test_the_timeline_is_oldest_first_with_exact_spans_and_copies_folded(index: Index) -> None:
    timeline = speaker_timeline(index, "Blinken")
    assert timeline.speaker == "Antony Blinken"
    assert [item.article_id for item in timeline.quotes] == ["early", "late"]
    first = timeline.quotes[0]
    assert first.text.startswith("We will defend every inch") and first.published == "2022-01-20"
    assert [(r.article_id, r.source, r.published) for r in first.also_reported_by] == [
        ("copy", "Wire Times", "2022-01-21")]
    for item in timeline.quotes:
        assert index.article(item.article_id).text[item.start:item.end] == item.text
    assert speaker_timeline(index, "Blinken", filters=_until("2022-02-01")).quotes[-1].article_id == "early"


def test_a_role_names_the_speaker_and_a_stranger_gets_an_empty_timeline(index: Index) -> None:
    assert speaker_timeline(index, "the secretary of state").speaker == "Antony Blinken"
    nobody = speaker_timeline(index, "Sergey Lavrov")
    assert nobody.speaker == "" and nobody.quotes == ()
    with pytest.raises(QAError, match="speaker"):
        speaker_timeline(index, "  ")


def test_the_chat_question_answers_with_the_dated_list(index: Index) -> None:
    answer = ask(index, "what has Blinken said?", llm=None)
    assert answer.kind == "quote"
    lines = answer.text.splitlines()
    assert lines[0] == "What Antony Blinken said, oldest first:"
    assert lines[1].startswith("2022-01-20, Herald (and 1 later report) — Blinken: “We will defend")
    assert lines[2].startswith("2022-03-02, Daily Post — Blinken: “Sanctions will follow")
    assert [c.article_id for c in answer.citations] == ["early", "late"]
    over_time = ask(index, "Blinken on sanctions over time", llm=None)
    assert over_time.text.startswith("What Antony Blinken said about sanctions, oldest first:")
    assert "late" in [c.article_id for c in over_time.citations]  # the sanctions quotation is listed


def test_the_rest_api_lists_the_timeline_and_refuses_an_empty_speaker(index: Index) -> None:
    client = TestClient(create_app(index))
    response = client.get("/api/quotes", params={"speaker": "Blinken", "since": "2022-02-01"})
    assert response.status_code == 200
    body = response.json()
    assert body["speaker"] == "Antony Blinken"
    assert [q["article_id"] for q in body["quotes"]] == ["late"]
    assert set(body["quotes"][0]) == {"text", "published", "article_id", "start", "end", "source", "url",
                                      "also_reported_by"}
    empty = client.get("/api/quotes", params={"speaker": ""})
    assert empty.status_code == 400 and "speaker" in empty.json()["error"]


def test_the_cli_prints_the_timeline_as_json(index: Index, capsys: pytest.CaptureFixture[str]) -> None:
    folder = str(index.store.folder)
    index.close()
    assert main(["quotes", "Blinken", "--index", folder, "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert [q["article_id"] for q in body["quotes"]] == ["early", "late"]
    assert body["quotes"][0]["also_reported_by"][0]["article_id"] == "copy"
    assert main(["quotes", "Blinken", "--index", folder]) == 0
    assert "2022-01-20  Herald (also in 1 more)" in capsys.readouterr().out


def _until(date: str):
    from qa.types import Filters

    return Filters(until=date)
