"""PDF files (pypdf): the text layer of each page in reading order, the pages' start offsets kept so a
passage can name its page. No OCR: a PDF without a text layer is refused, as are encrypted and broken ones."""

from __future__ import annotations

import io
import logging
import os
from dataclasses import replace

from qa.errors import QAError
from qa.ingest.common import article_from_dict, normalise_date, read_bytes
from qa.types import Article, content_id

# Between pages: a paragraph break, so no sentence or passage is glued across a page boundary by accident.
PAGE_BREAK = "\n\n"


def read_pdf(path: str | os.PathLike) -> Article:
    """The article in a .pdf file; raises QAError for an unreadable, encrypted or text-less one."""
    return parse_pdf(read_bytes(path), os.fspath(path))


def parse_pdf(data: bytes, origin: str, *, url: str = "") -> Article:
    """The article in a PDF's bytes. ``url``, when it came from the web, becomes its url and id."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    # pypdf logs every repaired oddity of a damaged file; what matters reaches the user as one QAError.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    if not data.lstrip()[:5] == b"%PDF-":
        raise QAError("not a PDF file (no %PDF- header)")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise QAError("encrypted PDF (a password is needed to read it)")
        texts = [page.extract_text() or "" for page in reader.pages]
        metadata = reader.metadata
        facts = {
            "title": str(metadata.title or "").strip() if metadata else "",
            "authors": (metadata.author or "").split(";") if metadata else None,
            "published": _date(metadata.creation_date if metadata else None),
        }
    except QAError:
        raise
    except PdfReadError as err:
        raise QAError(f"not a readable PDF ({_one_line(err)})") from err
    except Exception as err:  # pypdf's bugs on odd files surface as anything; one file must not stop a run
        raise QAError(f"not a readable PDF ({type(err).__name__}: {_one_line(err)})") from err
    text, pages = _joined(texts)
    if not text.strip():
        raise QAError("PDF has no text layer (a scanned document? OCR is not supported)")
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    # "untitled" is what many PDF writers put when nobody gave a title
    title = "" if facts["title"].lower() == "untitled" else facts["title"]
    record = {**facts, "id": url or content_id(text), "title": title or first_line, "text": text, "url": url}
    return replace(article_from_dict(record, origin), pages=pages)


def _joined(texts: list[str]) -> tuple[str, tuple[int, ...]]:
    """The pages' texts as one, and where each page starts in it. Blank pages still count, so page
    numbers stay those printed by a viewer."""
    parts: list[str] = []
    starts: list[int] = []
    offset = 0
    for number, page in enumerate(texts):
        page = page.strip()
        if number:
            parts.append(PAGE_BREAK)
            offset += len(PAGE_BREAK)
        starts.append(offset)
        parts.append(page)
        offset += len(page)
    return "".join(parts), tuple(starts)


def _date(created: object) -> str:
    """The creation date, or "" when it is missing or not a date: a bad one is no reason to refuse the text."""
    try:
        return normalise_date(created)
    except QAError:
        return ""


def _one_line(err: Exception) -> str:
    return " ".join(str(err).split())[:200]
