"""JSONL reader: field mapping, derived ids and sources, dates, per-line errors, streaming."""

from __future__ import annotations

import hashlib
import itertools
import json
import tracemalloc
from pathlib import Path
from types import MappingProxyType

import pytest

from qa.errors import QAError
from qa.ingest import article_from_dict, read_jsonl
from qa.types import Article, IngestError


def write_lines(path: Path, *lines: str | dict) -> Path:
    path.write_text("".join((json.dumps(line) if isinstance(line, dict) else line) + "\n" for line in lines), "utf-8")
    return path


def read_one(tmp_path: Path, record: dict) -> Article | IngestError:
    (result,) = read_jsonl(write_lines(tmp_path / "one.jsonl", record))
    return result


def test_reads_every_field_and_ignores_unknown_ones(tmp_path):
    path = write_lines(
        tmp_path / "news.jsonl",
        {
            "id": "rtqa-7",
            "title": "  Talks in Geneva ",
            "url": "https://www.example.com/geneva",
            "published": "2022-01-21",
            "authors": ["Naomi Lim", "Joel Gehrke"],
            "source": "Washington Examiner",
            "text": "Blinken met Lavrov.",
            "section": "world",
        },
    )
    assert list(read_jsonl(path)) == [
        Article(
            id="rtqa-7",
            text="Blinken met Lavrov.",
            title="Talks in Geneva",
            url="https://www.example.com/geneva",
            published="2022-01-21",
            authors=("Naomi Lim", "Joel Gehrke"),
            source="Washington Examiner",
            origin=f"{path}:1",
        )
    ]


def test_text_is_kept_exactly_as_given(tmp_path):
    text = "  Lead paragraph.\r\n\n\tSecond\u00a0paragraph \u2028 with odd spacing.  \n"
    assert read_one(tmp_path, {"text": text}).text == text


def test_missing_id_is_a_hash_of_the_normalised_text(tmp_path):
    decomposed = "  Cafe\u0301 opens\n\n  today.  "  # NFD "é", ragged whitespace
    expected = hashlib.sha256("Café opens today.".encode()).hexdigest()[:16]
    path = write_lines(tmp_path / "a.jsonl", {"text": decomposed}, {"text": "Café opens today."}, {"text": "Other."})
    first, second, third = read_jsonl(path)
    assert first.id == second.id == expected
    assert third.id != expected and len(third.id) == 16


def test_numeric_id_becomes_a_string(tmp_path):
    assert read_one(tmp_path, {"id": 42, "text": "x"}).id == "42"


@pytest.mark.parametrize(
    ("record", "source"),
    [
        ({"url": "https://www.cnn.com/2021/11/02/us/story.html"}, "cnn.com"),
        ({"url": "https://edition.cnn.com:443/x"}, "edition.cnn.com"),
        ({"url": "https://www.cnn.com/x", "source": "CNN"}, "CNN"),
        ({"url": "not a url"}, ""),
        ({}, ""),
    ],
)
def test_source_falls_back_to_the_url_host(tmp_path, record, source):
    assert read_one(tmp_path, {**record, "text": "x"}).source == source


@pytest.mark.parametrize(
    ("authors", "expected"),
    [("Nicole Chavez", ("Nicole Chavez",)), (["A. One", " ", "B. Two "], ("A. One", "B. Two")), (None, ())],
)
def test_authors_accept_a_list_or_a_single_string(tmp_path, authors, expected):
    assert read_one(tmp_path, {"text": "x", "authors": authors}).authors == expected


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        ("2021-11-02", "2021-11-02"),
        ("2021-11-02T23:30:00-05:00", "2021-11-02"),  # the date as written, not shifted to UTC
        ("2021-11-02T10:00:00.123456789Z", "2021-11-02"),
        ("2021-11-02 10:00", "2021-11-02"),
        ("20211102", "2021-11-02"),
        ("2021/11/02", "2021-11-02"),
        ("November 2, 2021", "2021-11-02"),
        ("Nov. 2, 2021", "2021-11-02"),
        ("2 Nov 2021", "2021-11-02"),
        ("Tue, 02 Nov 2021 10:00:00 GMT", "2021-11-02"),
        ("  ", ""),
        (None, ""),
    ],
)
def test_published_is_normalised_to_an_iso_date(tmp_path, published, expected):
    assert read_one(tmp_path, {"text": "x", "published": published}).published == expected


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"text": "hi" "title": "x"}', "invalid JSON (Expecting ',' delimiter at column 15)"),
        ("[1, 2]", "expected a JSON object, got array"),
        ('"just a string"', "expected a JSON object, got string"),
        ('{"title": "No body"}', "missing field 'text'"),
        ('{"text": null}', "missing field 'text'"),
        ('{"text": " \\n "}', "field 'text' is empty"),
        ('{"text": 5}', "field 'text' must be a string, got number"),
        ('{"text": "x", "title": ["a"]}', "field 'title' must be a string, got array"),
        ('{"text": "x", "id": {"n": 1}}', "field 'id' must be a string or number, got object"),
        ('{"text": "x", "id": true}', "field 'id' must be a string or number, got boolean"),
        ('{"text": "x", "authors": 7}', "field 'authors' must be a list of strings or a string, got number"),
        ('{"text": "x", "authors": ["A", 3]}', "field 'authors' must be a list of strings, item 2 is number"),
        ('{"text": "x", "published": "yesterday"}', "field 'published' is not a recognisable date: 'yesterday'"),
        ('{"text": "x", "published": "11/02/2021"}', "field 'published' is not a recognisable date: '11/02/2021'"),
        ('{"text": "x", "published": "2021-02-30"}', "field 'published' is not a recognisable date: '2021-02-30'"),
        ('{"text": "x", "published": 20211102}', "field 'published' must be a date string, got number"),
    ],
)
def test_a_bad_line_gives_one_clear_error(tmp_path, line, reason):
    path = write_lines(tmp_path / "bad.jsonl", line)
    assert list(read_jsonl(path)) == [IngestError(f"{path}:1", reason)]


def test_bad_lines_are_reported_and_reading_continues(tmp_path):
    path = write_lines(tmp_path / "mixed.jsonl", {"id": "a", "text": "one"}, "{oops", "", "   ", {"id": "b", "text": "two"})
    results = list(read_jsonl(path))
    assert [type(r).__name__ for r in results] == ["Article", "IngestError", "Article"]
    assert [r.origin for r in results] == [f"{path}:1", f"{path}:2", f"{path}:5"]
    assert str(results[1]) == f"{path}:2: invalid JSON (Expecting property name enclosed in double quotes at column 2)"


def test_a_non_utf8_line_is_an_error_for_that_line_only(tmp_path):
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(b'{"text": "ok"}\n{"text": "Caf\xe9"}\n{"text": "also ok"}\n')
    results = list(read_jsonl(path))
    assert results[1] == IngestError(f"{path}:2", "not valid UTF-8 (byte 0xe9 at offset 13)")
    assert [r.text for r in (results[0], results[2])] == ["ok", "also ok"]


def test_a_utf8_bom_is_ignored(tmp_path):
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"id": "x", "text": "body"}\n')
    (article,) = read_jsonl(path)
    assert (article.id, article.text) == ("x", "body")


def test_crlf_line_endings_are_accepted(tmp_path):
    path = tmp_path / "dos.jsonl"
    path.write_bytes(b'{"text": "one"}\r\n{"text": "two"}\r\n')
    assert [a.text for a in read_jsonl(path)] == ["one", "two"]


@pytest.mark.parametrize("content", [b"", b"\n\n  \n"])
def test_an_empty_file_is_an_error(tmp_path, content):
    path = tmp_path / "empty.jsonl"
    path.write_bytes(content)
    assert list(read_jsonl(path)) == [IngestError(str(path), "empty file")]


def test_a_binary_file_is_one_error_not_one_per_line(tmp_path):
    path = tmp_path / "image.jsonl"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\n" * 50)
    assert list(read_jsonl(path)) == [IngestError(str(path), "binary file (contains NUL bytes; expected UTF-8 text)")]


def test_an_unreadable_file_is_an_error(tmp_path):
    folder = tmp_path / "looks-like.jsonl"
    folder.mkdir()
    assert list(read_jsonl(folder)) == [IngestError(str(folder), "cannot read file (Is a directory)")]


def test_large_files_are_streamed_not_loaded(tmp_path):
    path = tmp_path / "big.jsonl"
    line = json.dumps({"text": "word " * 2000}) + "\n"  # ~10 kB per line, ~10 MB in all
    path.write_text(line * 1000, "utf-8")
    tracemalloc.start()
    try:
        first_two = list(itertools.islice(read_jsonl(path), 2))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(first_two) == 2 and all(isinstance(a, Article) for a in first_two)
    assert peak < 1_000_000


def test_article_from_dict_accepts_any_mapping_and_names_the_field():
    article = article_from_dict(MappingProxyType({"text": "Body.", "published": "2022-01-21"}), "request")
    assert (article.text, article.published, article.origin) == ("Body.", "2022-01-21", "request")
    with pytest.raises(QAError, match=r"^field 'url' must be a string, got number$"):
        article_from_dict({"text": "Body.", "url": 3}, "request")


@pytest.mark.bench_data
def test_the_benchmark_file_reads_correctly(bench_dir):
    path = bench_dir / "realtimeqa" / "articles.jsonl"
    with path.open(encoding="utf-8") as file:
        raw = [json.loads(line) for line in itertools.islice(file, 3)]
    articles = list(itertools.islice(read_jsonl(path), 3))
    assert [a.id for a in articles] == ["rtqa-00000", "rtqa-00001", "rtqa-00002"]
    assert [a.text for a in articles] == [r["text"] for r in raw]
    assert [a.origin for a in articles] == [f"{path}:{n}" for n in (1, 2, 3)]
    first = articles[0]
    assert first.url == "https://www.cnn.com/2021/11/02/us/day-of-the-dead-dia-de-los-muertos-trnd/index.html"
    assert (first.title, first.published, first.authors, first.source) == ("", "2021-11-02", ("Nicole Chavez",), "cnn.com")
    assert first.text.startswith("CNN —\n\nFamilies are spreading bulks of marigold petals")
    assert articles[1].authors == ("Christina Maxouris", "Alaa Elassar")
