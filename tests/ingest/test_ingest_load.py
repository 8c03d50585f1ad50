"""load_articles: files and folders, walk order, skipping, and bad input that never stops the run."""

from __future__ import annotations

import inspect
import json
import os
from pathlib import Path

from qa.ingest import load_articles
from qa.types import Article, IngestError

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "data" / "sample"
UNSUPPORTED = "(expected .jsonl, .txt, .md, .html or .pdf)"


def write(path: Path, content: str | bytes = "Title\nBody.") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def origins(results) -> list[str]:
    return [result.origin for result in results]


def test_folders_are_walked_recursively_in_name_order(tmp_path):
    write(tmp_path / "z.txt")
    write(tmp_path / "b" / "d.jsonl", '{"text": "one"}\n{"text": "two"}\n')
    write(tmp_path / "b" / "c.md", "# C\nBody.")
    write(tmp_path / "a.html", "<html><body><article><p>" + "A sentence of news. " * 20 + "</p></article></body></html>")
    write(tmp_path / "c" / "e.ndjson", '{"text": "three"}\n')
    write(tmp_path / "B.TXT")
    results = list(load_articles(tmp_path))
    assert all(isinstance(result, Article) for result in results)
    assert origins(results) == [
        str(tmp_path / "B.TXT"),
        str(tmp_path / "a.html"),
        str(tmp_path / "b" / "c.md"),
        f"{tmp_path / 'b' / 'd.jsonl'}:1",
        f"{tmp_path / 'b' / 'd.jsonl'}:2",
        str(tmp_path / "c" / "e.ndjson") + ":1",
        str(tmp_path / "z.txt"),
    ]


def test_hidden_and_unsupported_files_in_folders_are_skipped(tmp_path):
    write(tmp_path / ".draft.txt")
    write(tmp_path / ".git" / "notes.txt")
    write(tmp_path / "notes.csv", "a,b\n")
    write(tmp_path / "README")
    write(tmp_path / "keep.txt")
    assert origins(load_articles(tmp_path)) == [str(tmp_path / "keep.txt")]


def test_explicit_files_and_folders_keep_the_given_order(tmp_path):
    first, second = write(tmp_path / "2.txt"), write(tmp_path / "folder" / "1.txt")
    assert origins(load_articles(first, str(tmp_path / "folder"))) == [str(first), str(second)]


def test_an_explicit_file_with_an_unknown_type_is_an_error(tmp_path):
    csv, bare = write(tmp_path / "table.xyz", "x"), write(tmp_path / "LICENSE", "x")
    assert list(load_articles(csv, bare)) == [
        IngestError(str(csv), f"unsupported file type '.xyz' {UNSUPPORTED}"),
        IngestError(str(bare), f"unsupported file type (no extension) {UNSUPPORTED}"),
    ]


def test_a_missing_path_is_an_error_and_the_next_path_is_still_read(tmp_path):
    good = write(tmp_path / "good.txt")
    results = list(load_articles(tmp_path / "missing.txt", good))
    assert results[0] == IngestError(str(tmp_path / "missing.txt"), "no such file or directory")
    assert isinstance(results[1], Article) and results[1].origin == str(good)


def test_bad_files_in_a_folder_are_reported_and_the_rest_is_read(tmp_path):
    write(tmp_path / "1-empty.txt", b"")
    write(tmp_path / "2-binary.md", b"Title\n\x00\x01\x02\x03")
    write(tmp_path / "3-latin1.txt", "Café\nBody".encode("latin-1"))
    os.symlink(tmp_path / "nowhere.txt", tmp_path / "4-broken-link.txt")
    write(tmp_path / "5-lines.jsonl", '{"text": "fine"}\n{"text": }\n')
    write(tmp_path / "6-good.txt", "Good title\nGood body.")
    results = list(load_articles(tmp_path))
    assert [str(result) for result in results if isinstance(result, IngestError)] == [
        f"{tmp_path / '1-empty.txt'}: empty file",
        f"{tmp_path / '2-binary.md'}: binary file (contains NUL bytes; expected UTF-8 text)",
        f"{tmp_path / '3-latin1.txt'}: not valid UTF-8 (byte 0xe9 at offset 3)",
        f"{tmp_path / '4-broken-link.txt'}: cannot read file (No such file or directory)",
        f"{tmp_path / '5-lines.jsonl'}:2: invalid JSON (Expecting value at column 10)",
    ]
    assert [(a.origin, a.title or a.text) for a in results if isinstance(a, Article)] == [
        (f"{tmp_path / '5-lines.jsonl'}:1", "fine"),
        (str(tmp_path / "6-good.txt"), "Good title"),
    ]


def test_an_explicit_broken_symlink_is_an_error(tmp_path):
    link = tmp_path / "gone.txt"
    os.symlink(tmp_path / "nowhere.txt", link)
    assert list(load_articles(link)) == [IngestError(str(link), "cannot read file (No such file or directory)")]


def test_a_symlink_loop_in_a_folder_does_not_recurse_forever(tmp_path):
    write(tmp_path / "news" / "a.txt")
    os.symlink(tmp_path / "news", tmp_path / "news" / "loop")
    assert origins(load_articles(tmp_path / "news")) == [str(tmp_path / "news" / "a.txt")]


def test_results_are_produced_lazily(tmp_path):
    first = write(tmp_path / "first.jsonl", json.dumps({"text": "one"}) + "\n")
    later = tmp_path / "later.txt"
    results = load_articles(first, later)
    assert inspect.isgenerator(results)
    assert next(results).text == "one"
    write(later, "Written after the first article was read\nBody.")  # proves `later` was not looked at yet
    assert next(results).title == "Written after the first article was read"


def test_the_shipped_sample_folder_loads_without_errors():
    results = list(load_articles(SAMPLE_DIR))
    assert [type(result) for result in results] == [Article]
    assert results[0].title.startswith("Blinken and Lavrov plan more talks")
