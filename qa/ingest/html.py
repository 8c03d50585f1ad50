"""Saved web pages: trafilatura finds the article body and its metadata, dropping navigation and ads."""

from __future__ import annotations

import os
from typing import Any

from qa.errors import QAError
from qa.ingest.common import article_from_dict, read_utf8
from qa.types import Article


def read_html(path: str | os.PathLike) -> Article:
    """The article in an .html file; raises QAError when no article text can be extracted."""
    return parse_html(read_utf8(path), os.fspath(path))


def parse_html(html: str, origin: str) -> Article:
    return article_from_dict(html_record(html), origin)


def html_record(html: str | bytes) -> dict[str, Any]:
    """The article's fields found in a page (for article_from_dict); QAError when it has no article text."""
    document = _extract(html)
    if document is None or document.body is None:
        raise QAError("no article text found in the HTML")
    title = document.title or ""
    text = _body_text(document.body, title)
    if not text:
        raise QAError("no article text found in the HTML")
    return {
        "title": title,
        "text": text,
        "url": document.url,
        "published": document.date,
        # trafilatura joins several authors with "; "
        "authors": (document.author or "").split(";"),
        "source": document.sitename,
    }


def _extract(html: str | bytes) -> Any:
    import trafilatura  # slow to import (~0.2 s), and only HTML input needs it

    try:
        return trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    except Exception as err:  # a parser bug on one odd page must not abort a whole ingest run
        detail = " ".join(str(err).split())
        raise QAError(f"HTML extraction failed ({type(err).__name__}: {detail})") from err


def _body_text(body: Any, title: str) -> str:
    """Blocks joined by blank lines, so paragraphs stay distinguishable from <br> line breaks."""
    from trafilatura.xml import xmltotxt

    blocks = [xmltotxt(element, False).strip() for element in body]
    blocks = [block for block in blocks if block]
    if blocks and blocks[0] == title:  # the headline is kept in `title`, as with .txt files
        blocks = blocks[1:]
    return "\n\n".join(blocks)
