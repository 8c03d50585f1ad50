"""HTML reader: trafilatura extraction of body and metadata, with the boilerplate left out."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from qa.errors import QAError
from qa.ingest import load_articles, read_html
from qa.types import content_id
from qa.types import IngestError

ROOT = Path(__file__).resolve().parents[2]

PAGE = """\
<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Harbour bridge reopens after two-year repair | The Coastal Gazette</title>
  <meta property="og:title" content="Harbour bridge reopens after two-year repair">
  <meta property="og:url" content="https://www.coastalgazette.example/2023/05/14/harbour-bridge-reopens">
  <meta property="og:site_name" content="The Coastal Gazette">
  <meta property="og:type" content="article">
  <meta property="article:published_time" content="2023-05-14T08:30:00+01:00">
  <meta name="author" content="Maria Lopez">
  <link rel="canonical" href="https://www.coastalgazette.example/2023/05/14/harbour-bridge-reopens">
</head>
<body>
  <header class="site-header">
    <nav class="main-nav">
      <ul>
        <li><a href="/">Home</a></li><li><a href="/news">News</a></li>
        <li><a href="/sport">Sport</a></li><li><a href="/weather">Weather</a></li>
        <li><a href="/subscribe">Subscribe today</a></li>
      </ul>
    </nav>
  </header>
  <div class="ad-banner" id="top-ad">ADVERTISEMENT: Buy two mattresses, get the third one free at SleepWorld!</div>
  <main>
    <article>
      <h1>Harbour bridge reopens after two-year repair</h1>
      <p class="byline">By Maria Lopez, Transport Correspondent</p>
      <p>The Harbour Bridge reopened to traffic on Sunday morning after a two-year, 40 million pound repair programme that replaced all of its steel cables and resurfaced the entire deck.</p>
      <p>“This bridge carries twenty thousand people a day, and today they finally get it back,” said council leader Tom Hughes, who cut the ribbon at the northern end shortly after dawn.</p>
      <p>Engineers discovered severe corrosion in the suspension cables during a routine inspection in 2021, forcing an immediate closure. Commuters have since faced a detour of up to forty minutes through the town centre.</p>
      <p>Local businesses on the waterfront said trade had fallen by a third during the closure. Café owner Priya Shah said she expected customers to return within weeks now that the crossing was open again.</p>
    </article>
    <section id="comments" class="comments">
      <h3>12 comments</h3>
      <div class="comment"><p>BridgeFan99: About time! The detour added an hour to my commute every single day.</p></div>
      <div class="comment"><p>localmum: Forty million pounds for some cables? Absolute scandal if you ask me.</p></div>
    </section>
    <aside class="related">
      <h3>Most read</h3>
      <ul><li><a href="/a">Council tax to rise again next year</a></li><li><a href="/b">Ten best beaches on the coast</a></li></ul>
    </aside>
  </main>
  <div class="advert sponsored">SPONSORED: Refinance your mortgage in five minutes with QuickLoan.</div>
  <footer class="site-footer">
    <p>© 2023 The Coastal Gazette. All rights reserved.</p>
    <p><a href="/privacy">Privacy policy</a> | <a href="/cookies">Cookie settings</a> | <a href="/contact">Contact us</a></p>
  </footer>
</body>
</html>
"""

BOILERPLATE = [
    "Subscribe today",
    "ADVERTISEMENT",
    "SleepWorld",
    "SPONSORED",
    "QuickLoan",
    "Most read",
    "Council tax",
    "All rights reserved",
    "Privacy policy",
    "Cookie settings",
    "BridgeFan99",
    "Absolute scandal",
]


def write(path: Path, html: str) -> Path:
    path.write_text(html, "utf-8")
    return path


def test_article_body_and_metadata_are_extracted(tmp_path):
    path = write(tmp_path / "bridge.html", PAGE)
    article = read_html(path)
    assert article.title == "Harbour bridge reopens after two-year repair"
    assert article.url == "https://www.coastalgazette.example/2023/05/14/harbour-bridge-reopens"
    assert article.published == "2023-05-14"
    assert article.authors == ("Maria Lopez",)
    assert article.source == "The Coastal Gazette"
    assert article.origin == str(path)
    assert article.id == content_id(article.text)
    assert article.text.startswith("The Harbour Bridge reopened to traffic on Sunday morning")
    assert article.text.endswith("now that the crossing was open again.")
    assert "“This bridge carries twenty thousand people a day, and today they finally get it back,” said" in article.text


def test_boilerplate_and_the_repeated_headline_are_left_out(tmp_path):
    text = read_html(write(tmp_path / "bridge.html", PAGE)).text
    assert [phrase for phrase in BOILERPLATE if phrase in text] == []
    assert "Harbour bridge reopens" not in text


def test_paragraphs_are_separated_by_blank_lines_and_line_breaks_kept(tmp_path):
    html = PAGE.replace("<p>Engineers", "<p>Line one<br>line two</p><p>Engineers")
    paragraphs = read_html(write(tmp_path / "bridge.html", html)).text.split("\n\n")
    assert len(paragraphs) == 5
    assert paragraphs[2] == "Line one\nline two"


def test_several_authors_and_source_from_the_url_host(tmp_path):
    html = PAGE.replace('content="Maria Lopez"', 'content="Maria Lopez and Tom Hughes"').replace(
        '<meta property="og:site_name" content="The Coastal Gazette">', ""
    )
    article = read_html(write(tmp_path / "bridge.html", html))
    assert article.authors == ("Maria Lopez", "Tom Hughes")
    assert article.source == "coastalgazette.example"


@pytest.mark.parametrize(
    "html",
    [
        "<html><head><title>Only a title</title></head><body></body></html>",
        "<html><head><title>Scripts</title></head><body><script>var x = 1;</script></body></html>",
    ],
)
def test_a_page_without_article_text_is_an_error(tmp_path, html):
    path = write(tmp_path / "empty.html", html)
    with pytest.raises(QAError, match=r"^no article text found in the HTML$"):
        read_html(path)
    assert list(load_articles(path)) == [IngestError(str(path), "no article text found in the HTML")]


def test_htm_files_are_read_by_load_articles(tmp_path):
    (article,) = load_articles(write(tmp_path / "bridge.htm", PAGE))
    assert article.title == "Harbour bridge reopens after two-year repair"


def test_a_non_utf8_page_is_an_error(tmp_path):
    path = tmp_path / "latin1.html"
    path.write_bytes(PAGE.replace("“", '"').replace("”", '"').encode("latin-1"))
    with pytest.raises(QAError, match=r"^not valid UTF-8 \(byte 0xe9 at offset \d+\)$"):
        read_html(path)


def test_importing_the_package_does_not_import_trafilatura():
    code = "import sys, qa.ingest; assert 'trafilatura' not in sys.modules, 'trafilatura imported eagerly'"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
