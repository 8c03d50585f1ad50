"""Plain text and Markdown: title on the first line (or in YAML front matter), body after it."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml
from frontmatter import YAMLHandler

from qa.errors import QAError
from qa.ingest.common import article_from_dict, read_utf8, type_name
from qa.types import Article

MARKDOWN_SUFFIXES = (".md", ".markdown")

_LEADING_BLANK_LINES = re.compile(r"(?:[ \t]*\r?\n)+")
_FRONT_MATTER = YAMLHandler()


def read_text(path: str | os.PathLike) -> Article:
    """The article in a .txt or .md file; raises QAError with a one-line reason."""
    markdown = Path(path).suffix.lower() in MARKDOWN_SUFFIXES
    return parse_text(read_utf8(path), os.fspath(path), markdown=markdown)


def parse_text(text: str, origin: str, markdown: bool = False) -> Article:
    """An Article from a text file's content; front matter, when present, supplies the metadata."""
    meta, body = _split_front_matter(text)
    if meta.get("title") is None:
        title, body = _split_title(body, markdown)
    else:
        title, body = meta["title"], _strip_blank_lines(body)
    if not body:
        raise QAError("no article text after the title")
    record = {
        "id": meta.get("id"),
        "title": title,
        "text": body,
        "url": meta.get("url"),
        "published": _first_present(meta, "published", "date"),
        "authors": _first_present(meta, "authors", "author"),
        "source": meta.get("source"),
    }
    return article_from_dict(record, origin)


def _split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    # Only a "---" on the very first line opens front matter; python-frontmatter's own parse()
    # strips the text first and silently drops metadata that is not a mapping.
    if not _FRONT_MATTER.detect(text):
        return {}, text
    try:
        raw_meta, body = _FRONT_MATTER.split(text)
    except ValueError:  # no closing "---": a leading horizontal rule, not front matter
        return {}, text
    try:
        meta = _FRONT_MATTER.load(raw_meta)
    except yaml.YAMLError as err:
        raise QAError(f"invalid YAML front matter ({_yaml_problem(err)})") from None
    except Exception as err:  # PyYAML's constructors fail unwrapped: 2021-02-30, "!!timestamp x"
        detail = " ".join(str(err).split())
        raise QAError(f"invalid YAML front matter ({type(err).__name__}: {detail})") from None
    if meta is None:
        return {}, body
    if not isinstance(meta, dict):
        raise QAError(f"front matter must be a YAML mapping, got {type_name(meta)}")
    return meta, body


def _yaml_problem(err: yaml.YAMLError) -> str:
    if isinstance(err, yaml.MarkedYAMLError) and err.problem_mark is not None:
        # The front matter string starts on the opening "---" line, so its 0-based lines are the file's.
        return f"{err.problem} at line {err.problem_mark.line + 1}"
    return " ".join(str(err).split())


def _split_title(body: str, markdown: bool) -> tuple[str, str]:
    first_line, _, rest = _strip_blank_lines(body).partition("\n")
    title = first_line.strip()
    if markdown:
        title = title.lstrip("#").strip()
    return title, _strip_blank_lines(rest)


def _strip_blank_lines(text: str) -> str:
    """Drop blank lines before the text and whitespace after it; the first line keeps its indent."""
    match = _LEADING_BLANK_LINES.match(text)
    return text[match.end() if match else 0 :].rstrip()


def _first_present(meta: dict[str, Any], *keys: str) -> Any:
    return next((meta[key] for key in keys if meta.get(key) is not None), None)
