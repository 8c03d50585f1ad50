"""Sitemaps (sitemaps.org): the pages of a <urlset>, or the child sitemaps of a <sitemapindex>."""

from __future__ import annotations

from qa.errors import QAError
from qa.ingest.common import Entry

_NAMESPACE = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def parse_sitemap(body: bytes) -> tuple[list[Entry], list[str]]:
    """(pages, child sitemaps) listed, in order: a <urlset> lists pages, a <sitemapindex> sitemaps.
    QAError when it is not a sitemap."""
    from lxml import etree

    # No entities, DTDs or network: a listing from anywhere must not expand or reach out.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as err:
        raise QAError(f"malformed sitemap ({' '.join(str(err).split())[:160]})") from None
    kind = etree.QName(root).localname
    if kind not in ("urlset", "sitemapindex"):
        raise QAError(f"not a sitemap (its root element is <{kind}>)")
    places = []
    for item in root:
        if not isinstance(item.tag, str):
            continue  # a comment or processing instruction
        location = _child_text(item, "loc")
        if location:
            places.append((location, _child_text(item, "lastmod")))
    if kind == "sitemapindex":
        return [], [location for location, _ in places]
    pages = [Entry(key=url, url=url, version=modified, facts={"id": url, "url": url}) for url, modified in places]
    return pages, []


def _child_text(item, name: str) -> str:
    child = item.find(_NAMESPACE + name)
    if child is None:
        child = item.find(name)  # sitemaps written without the namespace are common enough
    return (child.text or "").strip() if child is not None else ""
