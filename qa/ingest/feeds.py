"""RSS and Atom feeds (feedparser): each item as an Entry, with its whole text when the feed carries it
(content:encoded, Atom content), else only its facts and the link to read the article from."""

from __future__ import annotations

import hashlib
import io
import json
import time
from typing import Any

from qa.errors import QAError
from qa.ingest.common import Entry, host_of
from qa.ingest.html import html_record


def feed_entries(body: bytes, feed_url: str, *, max_items: int) -> list[Entry]:
    """The feed's items (at most ``max_items``, in feed order); QAError when it is not a readable feed."""
    import feedparser

    # Bytes in a stream: feedparser would fetch a string that looks like an address.
    parsed = feedparser.parse(io.BytesIO(body), response_headers={"content-location": feed_url})
    usable = [item for item in parsed.entries if item.get("id") or item.get("link")]
    if not usable and (parsed.get("bozo") or not parsed.get("version")):
        # feedparser reads what it can of a broken feed; one that gave nothing usable is reported
        problem = parsed.get("bozo_exception")
        raise QAError(f"malformed feed ({' '.join(str(problem).split())[:160] if problem else 'not RSS or Atom'})")
    source = str(parsed.feed.get("title") or "").strip() or host_of(feed_url)
    return [_entry(item, source) for item in usable[:max_items]]


def _entry(item: Any, source: str) -> Entry:
    link = str(item.get("link") or "")
    facts: dict[str, Any] = {
        "id": str(item.get("id") or link),
        "title": str(item.get("title") or ""),
        "url": link,
        # dict.get: feedparser's own get maps a missing "published" to "updated" with a DeprecationWarning
        "published": _date(dict.get(item, "published_parsed") or dict.get(item, "updated_parsed")),
        "authors": [str(author.get("name")) for author in item.get("authors", []) if author.get("name")],
        "source": source,
    }
    content = item.get("content") or []
    listed = [facts, [part.get("value", "") for part in content], item.get("summary", ""), dict.get(item, "updated", "")]
    version = hashlib.sha256(json.dumps(listed, ensure_ascii=False).encode("utf-8")).hexdigest()[:32]
    if content:
        facts["text"] = _text(content[0])
    return Entry(key=facts["id"], url=link, version=version, facts=facts)


def _text(content: Any) -> str:
    """An item's carried content as plain text; HTML content is read like a page, so its paragraphs stay."""
    value = str(content.get("value") or "")
    if "html" not in str(content.get("type", "")):
        return value
    try:
        return html_record(f"<html><body><article>{value}</article></body></html>")["text"]
    except QAError:
        return ""


def _date(parsed: time.struct_time | None) -> str:
    return time.strftime("%Y-%m-%d", parsed) if parsed else ""
