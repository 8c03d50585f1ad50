"""Articles from web addresses: an article page, a PDF, an RSS/Atom feed or a sitemap (index), told
apart by what the address answers. Every failure is an IngestError naming the address."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from qa.errors import QAError
from qa.ingest import load_articles
from qa.ingest.common import Entry, article_from_dict
from qa.ingest.feeds import feed_entries
from qa.ingest.html import html_record
from qa.ingest.pdf import parse_pdf
from qa.ingest.sitemaps import parse_sitemap
from qa.ingest.web import Fetcher, Response, is_url
from qa.types import Article, IngestError

if TYPE_CHECKING:
    from qa.config import FetchConfig

_HTML = {"text/html", "application/xhtml+xml"}
_XML = {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml", "text/xml"}
_ROOT = re.compile(rb"<(?![?!])(?:[\w.-]+:)?([\w.-]+)")
Items = Iterator[Article | IngestError]
EXPECTED = "expected an HTML page, a PDF, an RSS/Atom feed or a sitemap"


def load_urls(urls: Iterable[str], config: FetchConfig) -> Iterator[Article | IngestError]:
    """The articles at each address in turn (a feed's or sitemap's items one by one), lazily."""
    with Fetcher(config) as fetcher:
        for url in urls:
            yield from read_url(fetcher, url)


def load_sources(sources: Iterable[str], config: FetchConfig) -> Iterator[Article | IngestError]:
    """The articles of files, folders and web addresses, in the order given, lazily."""
    with Fetcher(config) as fetcher:
        for source in sources:
            yield from read_url(fetcher, source) if is_url(source) else load_articles(source)


def peek_articles(items: Iterable[Article | IngestError]) -> tuple[list[IngestError], Items | None]:
    """The errors before the first article, and all the items again (None when there is no article at all):
    a caller can tell that there is nothing to add before it opens an index."""
    items = iter(items)
    errors: list[IngestError] = []
    for item in items:
        if isinstance(item, Article):
            return errors, itertools.chain(errors, [item], items)
        errors.append(item)
    return errors, None


def read_url(fetcher: Fetcher, url: str) -> Iterator[Article | IngestError]:
    try:
        response = fetcher.get(url)
        if kind_of(response) in ("page", "pdf"):
            yield page_article(response, url)
            return
        entries, failures = listed_entries(fetcher, response)
    except QAError as error:
        yield IngestError(url, str(error))
        return
    if not entries and not failures:
        yield IngestError(url, f"the {kind_of(response)} lists no articles")
    yield from failures
    for entry in entries:
        yield entry_article(fetcher, entry)


def kind_of(response: Response) -> str:
    """"page", "pdf", "feed" or "sitemap"; QAError for anything else."""
    head = response.body[:4096].lstrip()
    if response.content_type == "application/pdf" or head.startswith(b"%PDF-"):
        return "pdf"
    if response.content_type in _HTML:
        return "page"
    root = _ROOT.search(head)
    if response.content_type in _XML or response.content_type.endswith("+xml") or head.startswith(b"<?xml"):
        return "sitemap" if root and root.group(1) in (b"urlset", b"sitemapindex") else "feed"
    raise QAError(f"unsupported content type {response.content_type or '(none)'!r} ({EXPECTED})")


def listed_entries(fetcher: Fetcher, response: Response) -> tuple[list[Entry], list[IngestError]]:
    """The items of a feed or a sitemap, up to the configured caps, and the child sitemaps of a sitemap
    index that could not be read (the others are)."""
    config = fetcher.config
    kind = kind_of(response)
    if kind == "feed":
        return feed_entries(response.body, response.url, max_items=config.max_items), []
    if kind != "sitemap":
        raise QAError(f"not a feed or a sitemap (found a {'PDF' if kind == 'pdf' else 'web page'})")
    entries, failures = [], []
    pages, children = parse_sitemap(response.body)
    entries += pages
    for child in children[: config.max_sitemaps]:
        if len(entries) >= config.max_items:
            break
        try:
            # One level: a sitemap index lists sitemaps, never other indexes (sitemaps.org).
            entries += parse_sitemap(fetcher.get(child).body)[0]
        except QAError as error:
            failures.append(IngestError(child, str(error)))
    return entries[: config.max_items], failures


def entry_article(fetcher: Fetcher, entry: Entry) -> Article | IngestError:
    """A listed item's article: from the listing when it carries the text, else from its page."""
    origin = entry.url or entry.key
    try:
        if entry.facts.get("text"):
            return article_from_dict(entry.facts, origin)
        if not entry.url:
            raise QAError("the item has no text and no link")
        page = page_article(fetcher.get(entry.url), entry.url)
        given = {name: value for name, value in entry.facts.items() if value}
        return replace(article_from_dict({**page.to_dict(), **given, "id": entry.key}, origin), pages=page.pages)
    except QAError as error:
        return IngestError(origin, str(error))


def page_article(response: Response, origin: str) -> Article:
    """The article on a fetched page or PDF; its id is the address it was found at."""
    if kind_of(response) == "pdf":
        return parse_pdf(response.body, origin, url=response.url)
    if kind_of(response) != "page":
        raise QAError(f"not an article page (found a {kind_of(response)})")
    record = html_record(response.body)  # bytes: trafilatura finds the page's encoding
    return article_from_dict({**record, "id": response.url, "url": record.get("url") or response.url}, origin)
