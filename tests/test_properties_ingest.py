"""Properties of the readers on hostile input: every file gives Articles whose fields are storable text,
or IngestErrors of one line naming the file (and line); never another exception."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hostile_text import HOSTILE, QUOTE_MARKS, article_texts, hostile_texts
from hypothesis import example, given
from hypothesis import strategies as st

from qa.errors import QAError
from qa.ingest import load_articles, parse_html, parse_text
from qa.types import Article, IngestError

FIELDS = ("id", "text", "title", "url", "published", "authors", "source")
SURROGATES = ("\ud800", "\udfff", "a\udc80b")  # JSON can spell them (\ud800); UTF-8 cannot
DATES = ("2022-01-10", "2021-02-30", "2022-01-10T25:00:00", "Jan. 5, 2022", "11/02/2021", "yesterday", "", " ")
texts = st.one_of(hostile_texts(max_pieces=8), st.sampled_from(HOSTILE + SURROGATES + DATES), st.text(max_size=8))
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), texts),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(FIELDS), inner, max_size=3)),
    max_leaves=6,
)
records = st.dictionaries(st.one_of(st.sampled_from(FIELDS), texts), json_values, max_size=8)
good_records = st.fixed_dictionaries(
    {"text": article_texts(max_pieces=30)},
    optional={
        "id": st.text(max_size=8),
        "title": hostile_texts(max_pieces=8),
        "published": st.sampled_from(DATES[:1] + DATES[3:4]),
    },
)


@contextmanager
def file_with(data: bytes, suffix: str) -> Iterator[Path]:
    # A folder per example: pytest's tmp_path is shared by all the examples of a test.
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        yield path


def encoded(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # a lone surrogate becomes bytes that are not UTF-8


def assert_well_formed(item: Article | IngestError, path: Path, *, lines: bool) -> None:
    origin = os.fspath(path)
    if isinstance(item, IngestError):
        line = item.origin.removeprefix(origin)
        assert line == "" or (lines and line[0] == ":" and line[1:].isdigit()), item.origin
        assert len(str(item).splitlines()) == 1, str(item)
        return
    assert isinstance(item, Article), item
    fields = [item.id, item.text, item.title, item.url, item.published, item.source, item.origin, *item.authors]
    assert all(isinstance(value, str) for value in fields) and isinstance(item.authors, tuple)
    for value in fields:
        value.encode("utf-8")  # storable: SQLite and the ids take UTF-8
    assert item.text.strip() and item.id
    assert item.origin.startswith(origin + ":") if lines else item.origin == origin


# --- JSON Lines ------------------------------------------------------------------------


def jsonl_line(value: object, ascii_only: bool) -> str:
    return json.dumps(value, ensure_ascii=ascii_only)


@given(
    lines=st.lists(
        st.one_of(
            st.builds(jsonl_line, records, st.booleans()),
            st.builds(jsonl_line, json_values, st.booleans()),
            texts,
            st.sampled_from(["", " ", "{", '{"text": "unterminated', "\r", '{"text": "a"}\r']),
        ),
        max_size=6,
    ),
    junk=st.one_of(st.just(b""), st.binary(max_size=6), st.sampled_from([b"\0", b"\xff", b"\xef\xbb\xbf", b"\xc3"])),
    at=st.integers(0, 10_000),
)
@example(lines=['{"text": "a \\ud800 b"}', '{"text": "ok", "title": "\\udc80"}'], junk=b"", at=0)
def test_jsonl_gives_articles_or_errors_naming_file_and_line(lines: list[str], junk: bytes, at: int) -> None:
    data = encoded("\n".join(lines))
    at = min(at, len(data))
    with file_with(data[:at] + junk + data[at:], ".jsonl") as path:
        items = list(load_articles(path))
        for item in items:
            assert_well_formed(item, path, lines=True)


@given(st.lists(good_records, min_size=1, max_size=4), st.booleans())
def test_jsonl_keeps_every_text_exactly(records: list[dict], ascii_only: bool) -> None:
    data = "\n".join(jsonl_line(record, ascii_only) for record in records).encode("utf-8")
    with file_with(data, ".jsonl") as path:
        items = list(load_articles(path))
    assert [item.text for item in items] == [record["text"] for record in records], items


# --- text and Markdown -----------------------------------------------------------------

FRONT_MATTER = (
    "title: A headline", "title: [unclosed", "published: 2021-02-30", "date: 2021-01-01 25:00:00",
    "published: 2022-01-10", "date: 99999-01-01", "- a\n- b", "&a [*a]", "title: !!binary Zm9v", "title: !!binary ===",
    "? [complex]\n: key", "title: 12", "title: .nan", "authors: {a: 1}", "authors: [A, 3]", "id: .inf", "id: [1]",
    'title: "\\ud800"', 'title: "\\x00"', "title: \"\\U0010FFFF\"", "published: 1e400", "published: !!timestamp x",
    "title: *undefined", "!!python/object:os.system x", "title: x\n  bad indent: y", "url: 'http://[::1'",
    "source: \u202e", "title: |\n  multi\n  line", "", "\t", "---", "title: a\n---\nmore: b",
)  # fmt: skip


@st.composite
def text_files(draw: st.DrawFn) -> str:
    opening = draw(st.sampled_from(["", "---\n", "---\r\n", "--- \n", "\ufeff---\n", "----\n"]))
    meta = "\n".join(draw(st.lists(st.one_of(st.sampled_from(FRONT_MATTER), texts), max_size=3)))
    closing = draw(st.sampled_from(["\n---\n", "\n---\r\n", "\n---", "\n...\n", ""]))
    heading = draw(st.sampled_from(["", "# ", "## ", "#", "\n\n", "   "]))
    return opening + (meta + closing if opening else "") + heading + draw(hostile_texts(max_pieces=20))


@given(
    content=text_files(),
    suffix=st.sampled_from([".txt", ".md", ".markdown"]),
    junk=st.sampled_from([b"", b"\0", b"\xff\xfe", b"\xed\xa0\x80", b"\xc3"]),
    at=st.integers(0, 2000),
)
@example(content="---\npublished: 2021-02-30\n---\nTitle\nBody", suffix=".md", junk=b"", at=0)
@example(content="---\ndate: 2021-01-01 25:00:00\n---\nTitle\nBody", suffix=".txt", junk=b"", at=0)
@example(content="---\npublished: !!timestamp x\n---\n", suffix=".txt", junk=b"", at=0)
def test_text_files_give_an_article_or_an_error_naming_the_file(
    content: str, suffix: str, junk: bytes, at: int
) -> None:
    data = encoded(content)
    at = min(at, len(data))
    data = data[:at] + junk + data[at:]
    with file_with(data, suffix) as path:
        items = list(load_articles(path))
        assert len(items) == 1
        assert_well_formed(items[0], path, lines=False)
        if b"\0" in data:
            assert isinstance(items[0], IngestError) and "binary" in items[0].reason


@given(content=text_files(), markdown=st.booleans())
def test_parse_text_gives_an_article_or_a_one_line_error(content: str, markdown: bool) -> None:
    try:
        article = parse_text(content, "upload.md", markdown=markdown)
    except QAError as err:
        assert len(str(err).splitlines()) == 1, str(err)
    else:
        assert_well_formed(article, Path("upload.md"), lines=False)


# --- HTML ------------------------------------------------------------------------------

TAGS = (
    "<html>", "<body>", "</body>", "<p>", "</p>", "<div>", "</div>", "<br>", "<article>", "</article>", "<h1>",
    "</h1>", "<title>", "</title>", "<script>", "</script>", "<style>", "<!--", "-->", "<![CDATA[", "]]>", "&amp;",
    "&#0;", "&#xD800;", "&#1114112;", "&nbsp;", "&bogus;", "<?xml version='1.0'?>", "<!DOCTYPE html>", "<li>",
    "<meta name='date' content='2021-02-30'>", "<meta property='article:published_time' content='soon'>",
    "<meta name='author' content='A; ; B'>", '<link rel="canonical" href="http://[::1">', "<blockquote>", "<td>",
    '<html lang="ar" dir="rtl">', "<bdo dir='rtl'>", "<q>", "</q>", "<table><tr>", "<pre>", "<svg><text>",
)  # fmt: skip
html_pages = st.lists(
    st.one_of(st.sampled_from(TAGS), hostile_texts(max_pieces=10), st.sampled_from(QUOTE_MARKS), st.text(max_size=6)),
    max_size=30,
).map("".join)


@given(page=html_pages, junk=st.sampled_from([b"", b"\0", b"\xff"]), at=st.integers(0, 500))
def test_html_files_give_an_article_or_an_error_naming_the_file(page: str, junk: bytes, at: int) -> None:
    data = encoded(page)
    at = min(at, len(data))
    with file_with(data[:at] + junk + data[at:], ".html") as path:
        items = list(load_articles(path))
        assert len(items) == 1
        assert_well_formed(items[0], path, lines=False)


@given(html_pages)
def test_parse_html_gives_an_article_or_a_one_line_error(page: str) -> None:
    try:
        article = parse_html(page, "upload.html")
    except QAError as err:
        assert len(str(err).splitlines()) == 1, str(err)
    else:
        assert_well_formed(article, Path("upload.html"), lines=False)
