"""Articles from web addresses, served by a real loopback site: pages, PDFs, RSS and Atom feeds (whole
or summary-only), sitemaps and sitemap indexes; and for each reader, the bad input that is one line."""

from __future__ import annotations

import gzip

import pytest
from feed_files import atom, page, rss, sitemap, sitemap_index
from pdf_files import pdf_bytes
from web_site import web_site

from qa.config import FetchConfig
from qa.ingest.urls import load_urls
from qa.types import Article, IngestError

OPEN = FetchConfig(allow_private=True, timeout=2, deadline=4, max_bytes=200_000)
RSS = "application/rss+xml"
XML = "application/xml"
PARAGRAPHS = ["The harbour board approved the budget on Monday.", "Work on the new pier starts in spring."]


def read(*urls: str, config: FetchConfig = OPEN) -> list[Article | IngestError]:
    return list(load_urls(urls, config))


def only_errors(results) -> list[str]:
    assert all(isinstance(result, IngestError) for result in results), results
    assert all("\n" not in result.reason for result in results)
    return [str(result) for result in results]


def test_an_article_page_is_read_with_its_address_as_id():
    with web_site() as site:
        url = site.put("/harbour.html", page("Harbour budget approved", PARAGRAPHS))
        [article] = read(url)
    assert (article.id, article.url, article.origin, article.title) == (url, url, url, "Harbour budget approved")
    assert article.text == "\n\n".join(PARAGRAPHS)
    assert "Home | World" not in article.text


def test_a_pdf_address_is_read_with_its_pages():
    with web_site() as site:
        url = site.put("/report.pdf", pdf_bytes([["Harbour report"], ["Page two text."]]), content_type="application/pdf")
        [article] = read(url)
    assert (article.id, article.url, article.title) == (url, url, "Harbour report")
    assert len(article.pages) == 2


def test_an_rss_feed_with_whole_articles_needs_no_page_fetches():
    with web_site() as site:
        items = [
            {"title": f"Story {n}", "link": site.url(f"/story/{n}"), "guid": f"story-{n}",
             "content": "".join(f"<p>{text} ({n})</p>" for text in PARAGRAPHS)}
            for n in range(3)
        ]
        articles = read(site.put("/feed.xml", rss(items), content_type=RSS))
        assert [path for path, _ in site.requests] == ["/robots.txt", "/feed.xml"]
    assert [(a.id, a.title, a.url, a.source, a.published) for a in articles] == [
        (f"story-{n}", f"Story {n}", site.url(f"/story/{n}"), "The Daily", "2021-11-02") for n in range(3)
    ]
    assert articles[1].text == "\n\n".join(f"{text} (1)" for text in PARAGRAPHS)


def test_a_summary_only_feed_has_each_page_fetched_and_keeps_the_feed_facts():
    with web_site() as site:
        site.put("/a.html", page("Page headline", PARAGRAPHS))
        feed = site.put("/feed.xml", rss([{"title": "Feed headline", "link": site.url("/a.html"), "guid": "a"}]), content_type=RSS)
        [article] = read(feed)
    assert (article.id, article.title, article.source, article.origin) == ("a", "Feed headline", "The Daily", site.url("/a.html"))
    assert article.text == "\n\n".join(PARAGRAPHS)


def test_an_atom_feed_is_read():
    with web_site() as site:
        site.put("/b.html", page("Pier work to start in spring", PARAGRAPHS))
        entries = [
            {"title": "Whole", "guid": "urn:1", "link": site.url("/a.html"), "content": "<p>All of it is here.</p>"},
            {"title": "Linked", "guid": "urn:2", "link": site.url("/b.html")},
        ]
        whole, linked = read(site.put("/atom.xml", atom(entries), content_type="application/atom+xml"))
    assert (whole.id, whole.text, whole.authors, whole.published, whole.source) == (
        "urn:1", "All of it is here.", ("Ann Writer",), "2022-01-03", "Atom Times"
    )
    assert (linked.id, linked.title, linked.text) == ("urn:2", "Linked", "\n\n".join(PARAGRAPHS))


def test_a_sitemap_index_is_followed_to_its_pages():
    with web_site() as site:
        for name in ("a", "b", "c"):
            site.put(f"/{name}.html", page(f"Harbour story {name}", [f"{text} {name}" for text in PARAGRAPHS]))
        site.put("/one.xml", sitemap([site.url("/a.html"), site.url("/b.html")]), content_type=XML)
        site.put("/two.xml", sitemap([site.url("/c.html")]), content_type="text/xml")
        index = site.put("/sitemap.xml", sitemap_index([site.url("/one.xml"), site.url("/two.xml")]), content_type=XML)
        articles = read(index)
    assert [(a.id, a.title) for a in articles] == [(site.url(f"/{n}.html"), f"Harbour story {n}") for n in "abc"]


def test_a_gzipped_sitemap_is_read_and_a_gzip_bomb_is_not():
    with web_site() as site:
        site.put("/a.html", page("Harbour budget approved", PARAGRAPHS))
        packed = gzip.compress(sitemap([site.url("/a.html")]).encode())
        good = site.put("/sitemap.xml.gz", packed, content_type="application/x-gzip")
        bomb = site.put("/bomb.xml.gz", gzip.compress(b"<" * 5_000_000), content_type="application/gzip")
        article, exploded = read(good, bomb)
    assert isinstance(article, Article) and article.id == site.url("/a.html")
    assert str(exploded) == f"{bomb}: larger than the 0.190735 MB limit once decompressed"


def test_caps_on_items_and_sitemaps_hold():
    with web_site() as site:
        for n in range(4):
            site.put(f"/{n}.html", page(f"Harbour story {n}", [f"{text} {n}" for text in PARAGRAPHS]))
        site.put("/one.xml", sitemap([site.url(f"/{n}.html") for n in range(3)]), content_type=XML)
        site.put("/two.xml", sitemap([site.url("/3.html")]), content_type=XML)
        index = site.put("/sitemap.xml", sitemap_index([site.url("/one.xml"), site.url("/two.xml")]), content_type=XML)
        assert len(read(index, config=FetchConfig(allow_private=True, max_items=2))) == 2
        assert len(read(index, config=FetchConfig(allow_private=True, max_sitemaps=1))) == 3
        assert site.asked("/two.xml") == 0


# -- bad input: one line naming the address, and the rest still read ------------------------------


def test_bad_pages():
    with web_site() as site:
        site.put("/empty.html", "<html><body><nav>Menu</nav></body></html>")
        site.put("/image.png", b"\x89PNG\r\n", content_type="image/png")
        site.put("/big.html", page("Big", ["word " * 50_000]))
        site.put("/slow.html", page("Slow", PARAGRAPHS), delay=3)
        site.put("/broken.pdf", b"%PDF-1.4 nothing else", content_type="application/pdf")
        names = ["/missing.html", "/empty.html", "/image.png", "/big.html", "/slow.html", "/broken.pdf"]
        errors = only_errors(read(*(site.url(name) for name in names)))
    assert errors == [
        f"{site.url('/missing.html')}: HTTP 404 Not Found",
        f"{site.url('/empty.html')}: no article text found in the HTML",
        f"{site.url('/image.png')}: unsupported content type 'image/png' (expected an HTML page, a PDF, an RSS/Atom feed or a sitemap)",
        f"{site.url('/big.html')}: larger than the 0.190735 MB limit",
        f"{site.url('/slow.html')}: timed out (no answer within 2 s)",
        f"{site.url('/broken.pdf')}: not a readable PDF" + errors[-1].split("not a readable PDF", 1)[1],
    ]


def test_bad_feeds():
    with web_site() as site:
        good = {"title": "Good", "link": site.url("/good.html"), "guid": "good"}
        site.put("/good.html", page("Harbour budget approved", PARAGRAPHS))
        site.put("/broken.xml", "<?xml version='1.0'?><rss><channel><item><title>cut off", content_type=RSS)
        site.put("/junk.xml", b"\x00\x01 not xml at all", content_type=RSS)
        site.put("/error.xml", "oops", status=500, content_type="text/plain")
        mixed = rss([good, {"title": "Gone", "link": site.url("/gone.html"), "guid": "gone"}])
        results = read(site.url("/broken.xml"), site.url("/junk.xml"), site.url("/error.xml"), site.put("/mixed.xml", mixed, content_type=RSS))
    errors = [str(result) for result in results if isinstance(result, IngestError)]
    assert [a.id for a in results if isinstance(a, Article)] == ["good"]
    assert errors[0].startswith(f"{site.url('/broken.xml')}: malformed feed (")
    assert errors[1].startswith(f"{site.url('/junk.xml')}: malformed feed (")
    assert errors[2:] == [f"{site.url('/error.xml')}: HTTP 500 Internal Server Error", f"{site.url('/gone.html')}: HTTP 404 Not Found"]


def test_bad_sitemaps():
    with web_site() as site:
        site.put("/a.html", page("Harbour budget approved", PARAGRAPHS))
        site.put("/cut.xml", '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>', content_type=XML)
        bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&b;</loc></url></urlset>'
        site.put("/bomb.xml", bomb, content_type=XML)
        site.put("/index.xml", sitemap_index([site.url("/missing.xml"), site.url("/ok.xml")]), content_type=XML)
        site.put("/ok.xml", sitemap([site.url("/a.html")]), content_type=XML)
        cut, bombed, missing, article = read(site.url("/cut.xml"), site.url("/bomb.xml"), site.url("/index.xml"))
    assert str(cut).startswith(f"{site.url('/cut.xml')}: malformed sitemap (")
    assert isinstance(bombed, IngestError) and "aaaaaaaaaa" not in str(bombed)  # entities are never expanded
    assert str(missing) == f"{site.url('/missing.xml')}: HTTP 404 Not Found"
    assert isinstance(article, Article) and article.id == site.url("/a.html")


@pytest.mark.parametrize("url, reason", [
    ("ftp://example.org/feed.xml", "not an http(s) URL (scheme 'ftp')"),
    ("http://", "invalid URL (no host)"),
    ("http://[::1/feed", "invalid URL (Invalid IPv6 URL)"),
])
def test_invalid_addresses(url, reason):
    [error] = only_errors(read(url))
    assert error.startswith(f"{url}: {reason}")
