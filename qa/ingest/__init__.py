"""Readers that turn files (JSONL, text, Markdown, HTML, PDF) into Articles, reporting bad input as IngestErrors."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

from qa.errors import QAError
from qa.ingest.common import article_from_dict, normalise_date
from qa.ingest.html import parse_html, read_html
from qa.ingest.jsonl import read_jsonl
from qa.ingest.pdf import parse_pdf, read_pdf
from qa.ingest.text import parse_text, read_text
from qa.types import Article, IngestError

__all__ = [
    "SUFFIXES",
    "article_from_dict",
    "load_articles",
    "normalise_date",
    "parse_html",
    "parse_pdf",
    "parse_text",
    "read_html",
    "read_jsonl",
    "read_pdf",
    "read_text",
]

Result = Iterator[Article | IngestError]


def _one_article_per_file(read: Callable[[Path], Article]) -> Callable[[Path], Result]:
    def read_one(path: Path) -> Result:
        try:
            result: Article | IngestError = read(path)
        except QAError as err:
            result = IngestError(os.fspath(path), str(err))
        yield result

    return read_one


_READERS: dict[str, Callable[[Path], Result]] = {
    ".jsonl": read_jsonl,
    ".ndjson": read_jsonl,
    ".txt": _one_article_per_file(read_text),
    ".md": _one_article_per_file(read_text),
    ".markdown": _one_article_per_file(read_text),
    ".html": _one_article_per_file(read_html),
    ".htm": _one_article_per_file(read_html),
    ".pdf": _one_article_per_file(read_pdf),
}
SUFFIXES = tuple(_READERS)
EXPECTED = "(expected .jsonl, .txt, .md, .html or .pdf)"


def load_articles(*paths: str | os.PathLike) -> Result:
    """Articles from files and folders (walked recursively in name order), lazily and in file order.

    Bad input never stops the run: it is yielded as an IngestError naming the file (and line).
    """
    for path in map(Path, paths):
        yield from _load_path(path)


def _load_path(path: Path) -> Result:
    if path.is_dir():
        yield from _load_folder(path)
    elif not path.exists() and not path.is_symlink():
        yield IngestError(os.fspath(path), "no such file or directory")
    elif path.suffix.lower() not in _READERS:
        kind = f"'{path.suffix}'" if path.suffix else "(no extension)"
        yield IngestError(os.fspath(path), f"unsupported file type {kind} {EXPECTED}")
    else:
        yield from _READERS[path.suffix.lower()](path)


def _load_folder(folder: Path) -> Result:
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError as err:
        yield IngestError(os.fspath(folder), f"cannot read folder ({err.strerror or err})")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        # Symlinked folders are not followed, which rules out cycles; a symlinked file is read.
        if entry.is_dir(follow_symlinks=False):
            yield from _load_folder(path)
        elif path.suffix.lower() in _READERS:
            yield from _READERS[path.suffix.lower()](path)
