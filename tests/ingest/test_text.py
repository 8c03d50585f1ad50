"""Text and Markdown reader: title line, YAML front matter, and bad files."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from qa.errors import QAError
from qa.ingest import read_text
from qa.types import content_id
from qa.types import Article

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample" / "blinken-lavrov-geneva.txt"


def write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def test_first_nonempty_line_is_the_title_and_the_rest_is_the_text(tmp_path):
    path = write(tmp_path / "story.txt", "\n\n  Harbour bridge reopens  \n\n\n  The bridge reopened on Sunday.\n\nMore text.\n\n")
    assert read_text(path) == Article(
        id=content_id("  The bridge reopened on Sunday.\n\nMore text."),
        text="  The bridge reopened on Sunday.\n\nMore text.",
        title="Harbour bridge reopens",
        origin=str(path),
    )


def test_content_id_is_the_documented_hash():
    assert content_id(" a\u00a0 b\n") == hashlib.sha256(b"a b").hexdigest()[:16]


def test_markdown_heading_marks_are_stripped_from_the_title(tmp_path):
    article = read_text(write(tmp_path / "story.md", "## Harbour *bridge* reopens\n\nBody with # hash.\n"))
    assert (article.title, article.text) == ("Harbour *bridge* reopens", "Body with # hash.")


@pytest.mark.parametrize("suffix", [".markdown", ".MD"])
def test_other_markdown_suffixes_are_markdown_too(tmp_path, suffix):
    assert read_text(write(tmp_path / f"story{suffix}", "# Title\nBody.")).title == "Title"


def test_a_hash_in_a_plain_text_title_is_kept(tmp_path):
    assert read_text(write(tmp_path / "story.txt", "#1 hit single\nBody.")).title == "#1 hit single"


def test_front_matter_supplies_metadata_and_the_whole_body_is_text(tmp_path):
    path = write(
        tmp_path / "story.md",
        "---\n"
        "title: Blinken and Lavrov plan more talks\n"
        "url: https://www.washingtonexaminer.com/news/blinken-lavrov\n"
        "date: 2022-01-21\n"  # unquoted: YAML gives a date object
        "author: Joel Gehrke\n"
        "source: Washington Examiner\n"
        "id: 1017\n"
        "tags: [ukraine]\n"
        "---\n"
        "\n"
        "# Not the title\n"
        "\n"
        "U.S. and Russian officials plan to extend talks.\n",
    )
    assert read_text(path) == Article(
        id="1017",
        text="# Not the title\n\nU.S. and Russian officials plan to extend talks.",
        title="Blinken and Lavrov plan more talks",
        url="https://www.washingtonexaminer.com/news/blinken-lavrov",
        published="2022-01-21",
        authors=("Joel Gehrke",),
        source="Washington Examiner",
        origin=str(path),
    )


def test_front_matter_long_field_names_and_datetimes(tmp_path):
    path = write(
        tmp_path / "story.txt",
        "---\npublished: 2022-01-21T18:05:00+01:00\nauthors: [Naomi Lim, Joel Gehrke]\n"
        "url: https://www.example.org/a\n---\nHeadline here\n\nBody.\n",
    )
    article = read_text(path)
    assert (article.title, article.text, article.published) == ("Headline here", "Body.", "2022-01-21")
    assert (article.authors, article.source) == (("Naomi Lim", "Joel Gehrke"), "example.org")


def test_empty_front_matter_is_allowed(tmp_path):
    article = read_text(write(tmp_path / "story.txt", "---\n---\nTitle\nBody."))
    assert (article.title, article.text) == ("Title", "Body.")


def test_dashes_later_in_the_text_are_not_front_matter(tmp_path):
    article = read_text(write(tmp_path / "story.txt", "Title\n\nPart one.\n---\nPart two.\n---\n"))
    assert article.text == "Part one.\n---\nPart two.\n---"


def test_crlf_and_bom_are_handled(tmp_path):
    article = read_text(write(tmp_path / "dos.txt", b"\xef\xbb\xbfTitle line\r\n\r\nBody one.\r\nBody two.\r\n"))
    assert (article.title, article.text) == ("Title line", "Body one.\r\nBody two.")


def test_shipped_sample_reads_with_its_title():
    article = read_text(SAMPLE)
    assert article.title == "Blinken and Lavrov plan more talks as US seeks to avert ‘renewed invasion’ of Ukraine"
    assert "Secretary of State Antony Blinken told reporters in Geneva" in article.text
    assert article.title not in article.text
    assert article.origin == str(SAMPLE)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b" \n\t\n", "empty file"),
        (b"\xef\xbb\xbf", "empty file"),
        (b"Only a title\n\n", "no article text after the title"),
        (b"---\ntitle: T\n---\n\n", "no article text after the title"),
        (b"Title\nBody\x00\x01\x02", "binary file (contains NUL bytes; expected UTF-8 text)"),
        ("Café\nBody".encode("latin-1"), "not valid UTF-8 (byte 0xe9 at offset 3)"),
        (b"---\ntitle: ok\nurl: [unclosed\nfoo: bar\n---\nBody", "invalid YAML front matter (did not find expected ',' or ']' at line 4)"),
        (b"---\n- a\n- b\n---\nTitle\nBody", "front matter must be a YAML mapping, got array"),
        (b"---\ndate: soon\n---\nTitle\nBody", "field 'published' is not a recognisable date: 'soon'"),
    ],
)
def test_bad_files_raise_one_line_errors(tmp_path, content, reason):
    with pytest.raises(QAError) as caught:
        read_text(write(tmp_path / "bad.txt", content))
    assert str(caught.value) == reason


def test_an_unreadable_file_raises(tmp_path):
    (tmp_path / "folder.txt").mkdir()
    with pytest.raises(QAError, match=r"^cannot read file \(Is a directory\)$"):
        read_text(tmp_path / "folder.txt")
