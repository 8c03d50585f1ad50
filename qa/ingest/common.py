"""Helpers shared by the readers: strict file decoding, ids, dates and the one Article validator."""

from __future__ import annotations

import email.utils
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from qa.errors import QAError
from qa.types import Article, content_id, lone_surrogate

# Checked before fromisoformat so that any ISO datetime tail (nanoseconds, "EST", ...) still
# yields its date, and so Python 3.10's narrower fromisoformat is not a limitation.
_ISO_DATE_PREFIX = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ]|$)")

# Unambiguous human forms only: "11/02/2021" could be November or February, so it is refused.
_DATE_FORMATS = (
    "%Y/%m/%d",
    "%B %d, %Y",
    "%b %d, %Y",
    "%b. %d, %Y",
    "%B %d %Y",
    "%d %B %Y",
    "%d %b %Y",
)


def read_bytes(path: str | os.PathLike) -> bytes:
    """The whole file; raises QAError naming why it cannot be read."""
    try:
        with open(path, "rb") as file:
            return file.read()
    except OSError as err:
        raise QAError(f"cannot read file ({err.strerror or err})") from err


def read_utf8(path: str | os.PathLike) -> str:
    """The whole file as text; raises QAError for unreadable, binary, non-UTF-8 or empty files."""
    data = read_bytes(path)
    if b"\0" in data:
        raise QAError("binary file (contains NUL bytes; expected UTF-8 text)")
    text = decode_utf8(data)
    if not text.strip():
        raise QAError("empty file")
    return text


def decode_utf8(data: bytes) -> str:
    """Strict UTF-8 (a leading BOM is dropped): guessing an encoding would silently corrupt text."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise QAError(f"not valid UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start})") from None




@dataclass(frozen=True)
class Entry:
    """One item a feed or a sitemap lists: ``facts`` are the article fields the listing gives (with
    "text" when it carries the whole article, else the page at ``url`` is read for it)."""

    key: str  # what the listing calls the item (a feed's guid, a sitemap's URL); the article's id
    url: str
    version: str  # changes when the listing's item does; "" when the listing cannot tell
    facts: Mapping[str, Any]


def host_of(url: str) -> str:
    """The url's host without a leading "www.", or "" when there is none."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def normalise_date(value: Any, field: str = "published") -> str:
    """A date as "YYYY-MM-DD" ("" when absent). A datetime keeps its own calendar date, not UTC's."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str):
        raise QAError(f"field '{field}' must be a date string, got {type_name(value)}")
    if not value.strip():
        return ""
    parsed = _parse_date(value.strip())
    if parsed is None:
        raise QAError(f"field '{field}' is not a recognisable date: {value!r}")
    return parsed.isoformat()


def _parse_date(text: str) -> date | None:
    match = _ISO_DATE_PREFIX.match(text)
    if match:
        try:
            return date(*map(int, match.groups()))
        except ValueError:
            return None
    for parse in (datetime.fromisoformat, email.utils.parsedate_to_datetime):
        try:
            return parse(text).date()
        except (TypeError, ValueError):
            pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    return None


def article_from_dict(data: Mapping[str, Any], origin: str) -> Article:
    """Validate one article record (JSONL line, front matter, API body); QAError names the bad field."""
    text = _required_text(data)
    url = _optional_str(data, "url")
    return Article(
        id=_article_id(data.get("id"), text),
        text=text,
        title=_optional_str(data, "title"),
        url=url,
        published=normalise_date(data.get("published")),
        authors=_authors(data.get("authors")),
        source=_optional_str(data, "source") or host_of(url),
        origin=origin,
    )


def _required_text(data: Mapping[str, Any]) -> str:
    if data.get("text") is None:
        raise QAError("missing field 'text'")
    text = data["text"]
    if not isinstance(text, str):
        raise QAError(f"field 'text' must be a string, got {type_name(text)}")
    if not text.strip():
        raise QAError("field 'text' is empty")
    return _storable(text, "text")  # kept exactly: chunk spans index into it


def _optional_str(data: Mapping[str, Any], field: str) -> str:
    value = data.get(field)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise QAError(f"field '{field}' must be a string, got {type_name(value)}")
    return _storable(value, field).strip()


def _article_id(value: Any, text: str) -> str:
    if value is None:
        return content_id(text)
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise QAError(f"field 'id' must be a string or number, got {type_name(value)}")
    return _storable(str(value), "id").strip() or content_id(text)


def _authors(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, (list, tuple)):
        raise QAError(f"field 'authors' must be a list of strings or a string, got {type_name(value)}")
    for position, name in enumerate(names, 1):
        if not isinstance(name, str):
            raise QAError(f"field 'authors' must be a list of strings, item {position} is {type_name(name)}")
        _storable(name, "authors")
    return tuple(name.strip() for name in names if name.strip())


def _storable(value: str, field: str) -> str:
    """``value``, unless it holds a lone surrogate, which neither the ids nor the index could take."""
    position = lone_surrogate(value)
    if position is not None:
        raise QAError(f"field '{field}' contains a lone surrogate (at character {position})")
    return value


def type_name(value: Any) -> str:
    """JSON's name for a value's type, which is what the person who wrote the input sees."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__
