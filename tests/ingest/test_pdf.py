"""The PDF reader: text in reading order, title, pages kept as offsets, and bad PDFs refused in one line."""

from __future__ import annotations

import pytest
from pdf_files import encrypted, pdf_bytes

from qa.ingest import load_articles
from qa.ingest.pdf import parse_pdf
from qa.types import Article, Filters, IngestError, page_at

PAGES = [
    ["Budget talks stall in the Senate", "Negotiators left the room on Monday without a deal."],
    ["The vote moves to Friday, the majority leader said."],
    ["Markets barely moved on the news."],
]


def write(path, data: bytes):
    path.write_bytes(data)
    return path


def test_text_in_reading_order_with_page_offsets_and_metadata(tmp_path):
    path = write(tmp_path / "budget.pdf", pdf_bytes(PAGES, title="Budget talks stall", author="Jane Roe; John Doe"))
    [article] = load_articles(path)
    assert isinstance(article, Article)
    assert article.title == "Budget talks stall"
    assert article.authors == ("Jane Roe", "John Doe")
    assert article.origin == str(path)
    positions = [article.text.index(line) for page in PAGES for line in page]
    assert positions == sorted(positions)
    assert len(article.pages) == 3 and article.pages[0] == 0
    for number, page in enumerate(PAGES, 1):
        for line in page:
            assert page_at(article.pages, article.text.index(line)) == number
        assert article.text[article.pages[number - 1] :].startswith(page[0])


def test_title_falls_back_to_the_first_line(tmp_path):
    article = parse_pdf(pdf_bytes(PAGES), "x.pdf")
    assert article.title == "Budget talks stall in the Senate"


def test_a_blank_page_still_counts_so_page_numbers_match_the_viewer():
    article = parse_pdf(pdf_bytes([PAGES[0], [], PAGES[2]]), "x.pdf")
    assert page_at(article.pages, article.text.index("Markets")) == 3


def test_an_indexed_pdf_passage_names_its_page(tmp_path, tiny_model_path):
    from qa.index import Index

    long_pages = [[f"Page {n} sentence {i} about the harbour budget." for i in range(30)] for n in (1, 2, 3)]
    path = write(tmp_path / "long.pdf", pdf_bytes(long_pages, title="Harbour"))
    with Index.open(tmp_path / "index", model=str(tiny_model_path), create=True) as index:
        assert index.add(load_articles(path)).added == 1
        [found] = index.search("Page 3 sentence 20 harbour", 5, mode="bm25")
        stored = index.article(found.article_id)
        with index.store.view() as view:  # every passage, not one per article as a search gives
            hits = view.hits([(int(chunk_id), 0.0) for chunk_id in view.chunk_ids_matching(Filters())])
    assert found.page == page_at(stored.pages, found.start)
    assert stored.pages == parse_pdf(path.read_bytes(), str(path)).pages
    assert hits and all(hit.page == page_at(stored.pages, hit.start) for hit in hits)
    assert {hit.page for hit in hits} == {1, 2, 3}
    assert all(stored.text[hit.start : hit.end] == hit.text for hit in hits)
    assert found.to_dict()["page"] == found.page


@pytest.mark.parametrize("data, reason", [
    (pdf_bytes([[], []]), "PDF has no text layer (a scanned document? OCR is not supported)"),
    (encrypted(pdf_bytes(PAGES), "secret"), "encrypted PDF (a password is needed to read it)"),
    (b"%PDF-1.7\n garbage that is no PDF at all", "not a readable PDF"),
    (pdf_bytes(PAGES)[:400], "not a readable PDF"),
    (b"<html>not a pdf</html>", "not a PDF file (no %PDF- header)"),
    (b"", "not a PDF file (no %PDF- header)"),
])
def test_bad_pdfs_are_one_line_naming_the_file(tmp_path, data, reason):
    path = write(tmp_path / "bad.pdf", data)
    [error] = load_articles(path)
    assert isinstance(error, IngestError)
    assert error.origin == str(path)
    assert error.reason.startswith(reason)
    assert "\n" not in error.reason


def test_a_pdf_encrypted_without_a_user_password_is_read():
    article = parse_pdf(encrypted(pdf_bytes(PAGES), ""), "x.pdf")
    assert "Friday" in article.text
