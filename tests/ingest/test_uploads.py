"""What a user sends a server, read as articles: names fit only to show, errors that name the user's
file (never the server's copy of it) or a record's position in a JSON list."""

from __future__ import annotations

import pytest

from qa.ingest.uploads import Upload, articles_from_records, display_name, read_upload
from qa.types import Article, IngestError


@pytest.mark.parametrize(
    ("filename", "shown"),
    [
        ("../../etc/passwd.jsonl", "passwd.jsonl"),
        ("C:\\Users\\me\\notes.md", "notes.md"),
        ("bell\x07and\nnewline.txt", "bellandnewline.txt"),
        ("x" * 200 + ".txt", "x" * 116 + ".txt"),
        ("y" * 200, "y" * 120),
        ("evil\u202etxt.exe\x85.md", "eviltxt.exe.md"),
        ("/abs/..", "upload"),
        ("", "upload"),
        (None, "upload"),
    ],
)
def test_a_display_name_is_the_last_part_of_the_name_without_control_characters(filename, shown):
    assert display_name(filename) == shown


def test_an_upload_is_read_under_the_users_file_name(tmp_path):
    saved = tmp_path / "upload-0.jsonl"
    saved.write_text('{"id": "a", "title": "Harbour", "text": "The harbour reopened."}\n{"title": "x"}\n')
    story, error = read_upload(Upload("news.jsonl", saved))
    assert isinstance(story, Article) and story.origin == "news.jsonl:1"
    assert error == IngestError("news.jsonl:2", "missing field 'text'")


@pytest.mark.parametrize(("name", "kind"), [("photo.png", "'.png'"), ("README", "(no extension)")])
def test_an_upload_of_an_unsupported_type_is_one_error_and_is_not_opened(tmp_path, name, kind):
    (found,) = read_upload(Upload(name, tmp_path / "never-written"))
    assert found == IngestError(name, f"unsupported file type {kind} (expected .jsonl, .txt, .md, .html or .pdf)")


def test_records_become_articles_or_errors_naming_their_position():
    story, missing, wrong = articles_from_records([{"id": "a", "text": "Text."}, {"id": "b"}, ["not", "a", "dict"]])
    assert isinstance(story, Article) and story.origin == "articles[0]"
    assert missing == IngestError("articles[1]", "missing field 'text'")
    assert wrong == IngestError("articles[2]", "expected a JSON object, got array")
