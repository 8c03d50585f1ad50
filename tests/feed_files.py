"""RSS, Atom and sitemap documents for tests, as a site would serve them."""

from __future__ import annotations

from xml.sax.saxutils import escape


def page(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{escape(text)}</p>" for text in paragraphs)
    return (
        f"<html><head><title>{escape(title)}</title></head><body><nav>Home | World</nav>"
        f"<article><h1>{escape(title)}</h1>{body}</article><footer>© Daily</footer></body></html>"
    )


def rss(items: list[dict], title: str = "The Daily") -> str:
    """RSS 2.0; an item with "content" carries its whole text (content:encoded), else only a description."""
    rows = []
    for item in items:
        content = item.get("content")
        rows.append(
            f"<item><title>{escape(item['title'])}</title><link>{escape(item['link'])}</link>"
            f"<guid isPermaLink=\"false\">{escape(item['guid'])}</guid>"
            f"<pubDate>{item.get('date', 'Tue, 02 Nov 2021 10:00:00 GMT')}</pubDate>"
            f"<description>{escape(item.get('summary', 'A summary.'))}</description>"
            + (f"<content:encoded><![CDATA[{content}]]></content:encoded>" if content else "")
            + "</item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>{escape(title)}</title><link>http://example.org/</link>{''.join(rows)}</channel></rss>"
    )


def atom(entries: list[dict]) -> str:
    rows = "".join(
        f"<entry><title>{escape(e['title'])}</title><id>{escape(e['guid'])}</id>"
        f"<link href=\"{escape(e['link'])}\"/><updated>2022-01-03T08:00:00Z</updated>"
        f"<author><name>{escape(e.get('author', 'Ann Writer'))}</name></author>"
        + (f"<content type=\"html\">{escape(e['content'])}</content>" if e.get("content") else "<summary>Short.</summary>")
        + "</entry>"
        for e in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Atom Times</title><id>urn:atom-times</id><updated>2022-01-03T08:00:00Z</updated>{rows}</feed>"
    )


def sitemap(urls: list[str], lastmod: str = "") -> str:
    rows = "".join(
        f"<url><loc>{escape(url)}</loc>{f'<lastmod>{lastmod}</lastmod>' if lastmod else ''}</url>" for url in urls
    )
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</urlset>'


def sitemap_index(urls: list[str]) -> str:
    rows = "".join(f"<sitemap><loc>{escape(url)}</loc></sitemap>" for url in urls)
    return f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</sitemapindex>'
