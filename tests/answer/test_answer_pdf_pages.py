"""A citation of a PDF names the page its span starts on: in the Answer, `qa ask`, the REST answer and
the chat. Passages that run across a page break give each cited span its own page."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pdf_files import pdf_bytes

from qa.answer import ask
from qa.cli import main
from qa.index import Index
from qa.ingest import load_articles
from qa.server import create_app
from qa.server.chat_html import answer_html
from qa.types import Filters, page_at

QUESTION = "What did the harbour board decide about the budget on page three?"


@pytest.fixture(scope="module")
def pdf_index(tmp_path_factory, tiny_model_path):
    folder = tmp_path_factory.mktemp("pdf")
    pages = [
        [f"Page {n} sentence {i}: the harbour board weighed the budget for pier {n * 100 + i}." for i in range(30)]
        for n in (1, 2, 3)
    ]
    (folder / "harbour.pdf").write_bytes(pdf_bytes(pages, title="Harbour budget"))
    with Index.open(folder / "index", model=str(tiny_model_path), create=True) as index:
        assert index.add(load_articles(folder / "harbour.pdf")).added == 1
    return folder / "index"


def test_every_passage_knows_the_page_of_each_of_its_characters(pdf_index) -> None:
    with Index.open(pdf_index) as index, index.store.view() as view:
        hits = view.hits([(int(chunk_id), 0.0) for chunk_id in view.chunk_ids_matching(Filters())])
        stored = index.article(hits[0].article_id)
    assert any(hit.page_starts for hit in hits)  # some passage runs across a page break
    for hit in hits:
        for offset in range(hit.start, hit.end, 7):
            assert hit.page_of(offset) == page_at(stored.pages, offset)
    assert "page_starts" not in hits[0].to_dict()


def test_citations_carry_their_page_in_the_answer_cli_rest_and_chat(pdf_index, capsys) -> None:
    with Index.open(pdf_index) as index:
        answer = ask(index, QUESTION)
        stored = index.article(answer.citations[0].article_id)
        assert answer.citations
        for citation in answer.citations:
            assert citation.page == page_at(stored.pages, citation.start) and citation.page in (1, 2, 3)
        html = answer_html(answer)
        rest = TestClient(create_app(index)).post("/api/ask", json={"question": QUESTION}).json()
    first = answer.citations[0]
    assert f"p. {first.page}</div>" in html
    assert [c["page"] for c in rest["citations"]] == [c.page for c in answer.citations]

    assert main(["ask", QUESTION, "--index", str(pdf_index)]) == 0
    printed = capsys.readouterr().out
    assert f"{first.article_id} chars {first.start}-{first.end}, p. {first.page}" in printed
