"""The fetcher against a real loopback server: manners (User-Agent, robots.txt), caps (size, redirects,
time), conditional requests, and the refusal of private addresses unless allowed."""

from __future__ import annotations

import pytest
from web_site import Reply, web_site

from qa.config import FetchConfig
from qa.errors import QAError
from qa.ingest.web import Fetcher, checked_url

OPEN = FetchConfig(allow_private=True, timeout=2, deadline=4, max_bytes=50_000, max_redirects=3)


def fetch(url: str, config: FetchConfig = OPEN, **conditions: str):
    with Fetcher(config) as fetcher:
        return fetcher.get(url, **conditions)


def failure(url: str, config: FetchConfig = OPEN) -> str:
    with pytest.raises(QAError) as raised:
        fetch(url, config)
    assert "\n" not in str(raised.value)
    return str(raised.value)


def test_a_page_is_fetched_with_our_user_agent_and_its_validators():
    with web_site() as site:
        url = site.put("/a.html", "<p>hi</p>", headers={"ETag": '"v1"', "Last-Modified": "Tue, 02 Nov 2021 10:00:00 GMT"})
        response = fetch(url)
        assert (response.url, response.content_type, response.body) == (url, "text/html", b"<p>hi</p>")
        assert (response.etag, response.last_modified) == ('"v1"', "Tue, 02 Nov 2021 10:00:00 GMT")
        assert site.requests[-1][1]["user-agent"] == OPEN.user_agent


def test_a_conditional_request_answered_304_is_not_modified():
    with web_site() as site:
        site.routes["/feed"] = lambda headers: (
            Reply(status=304) if headers.get("if-none-match") == '"v1"' else Reply(b"<rss/>", headers={"ETag": '"v1"'})
        )
        assert fetch(site.url("/feed"), etag='"v1"').not_modified
        assert not fetch(site.url("/feed"), etag='"v0"').not_modified


def test_redirects_are_followed_up_to_the_cap_and_loops_named():
    with web_site() as site:
        site.put("/end", "<p>end</p>")
        for hop in range(5):
            site.put(f"/r{hop}", status=302, headers={"Location": f"/r{hop + 1}" if hop < 4 else "/end"})
        site.put("/loop-a", status=301, headers={"Location": "/loop-b"})
        site.put("/loop-b", status=301, headers={"Location": "/loop-a"})
        site.put("/to-ftp", status=302, headers={"Location": "ftp://example.org/x"})
        assert fetch(site.url("/r2")).url == site.url("/end")
        assert failure(site.url("/r0")) == "more than 3 redirects"
        assert failure(site.url("/loop-a")) == f"redirect loop (back to {site.url('/loop-a')})"
        assert failure(site.url("/to-ftp")) == "not an http(s) URL (scheme 'ftp')"


def test_error_statuses_oversized_bodies_and_stalls_are_one_line():
    with web_site() as site:
        site.put("/gone", status=404, content_type="text/plain")
        site.put("/broken", status=500, content_type="text/plain")
        site.put("/big", b"x" * 60_000)
        site.put("/slow", "<p>late</p>", delay=3)
        assert failure(site.url("/gone")) == "HTTP 404 Not Found"
        assert failure(site.url("/broken")) == "HTTP 500 Internal Server Error"
        assert failure(site.url("/big")) == "larger than the 0.0476837 MB limit"
        assert failure(site.url("/slow")) == "timed out (no answer within 2 s)"


def test_a_body_larger_than_declared_is_still_capped():
    with web_site() as site:
        # No Content-Length to trust: the cap holds on the bytes as they arrive.
        url = site.put("/undeclared", b"y" * 60_000, declare_length=False)
        assert failure(url).startswith("larger than")


def test_robots_txt_is_respected():
    with web_site() as site:
        site.put("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
        site.put("/private/a.html", "<p>no</p>")
        site.put("/public/a.html", "<p>yes</p>")
        site.put("/redirect", status=302, headers={"Location": "/private/a.html"})
        assert failure(site.url("/private/a.html")) == "disallowed by robots.txt"
        assert failure(site.url("/redirect")) == f"disallowed by robots.txt ({site.url('/private/a.html')})"
        assert fetch(site.url("/public/a.html")).body == b"<p>yes</p>"
        assert site.asked("/private/a.html") == 0


def test_a_robots_txt_answering_5xx_allows_nothing_and_4xx_everything():
    with web_site() as site:
        site.put("/robots.txt", status=503, content_type="text/plain")
        site.put("/a.html", "<p>a</p>")
        assert failure(site.url("/a.html")) == "disallowed by robots.txt"
    with web_site() as site:
        site.put("/robots.txt", status=410, content_type="text/plain")
        assert fetch(site.put("/a.html", "<p>a</p>")).body == b"<p>a</p>"


@pytest.mark.parametrize("url, reason", [
    ("ftp://example.org/feed", "not an http(s) URL (scheme 'ftp')"),
    ("http://", "invalid URL (no host)"),
    ("http://example.org:99999/", "invalid URL (Port out of range 0-65535)"),
    ("example.org/feed", "not an http(s) URL (scheme 'missing')"),
])
def test_invalid_urls_are_refused_before_any_request(url, reason):
    with pytest.raises(QAError, match=None) as raised:
        checked_url(url)
    assert str(raised.value) == reason


def test_private_addresses_are_refused_unless_allowed_also_after_a_redirect():
    with web_site() as site, web_site("127.0.0.2") as inside:
        url = site.put("/a.html", "<p>a</p>")
        refused = failure(url, FetchConfig())
        assert refused.startswith("refused: 127.0.0.1 is a loopback or private address")
        assert site.requests == []  # not even robots.txt was asked for
        assert fetch(url, OPEN).body == b"<p>a</p>"
        # A public-looking first hop cannot lead inside either: every connection is checked.
        site.put("/out", status=302, headers={"Location": inside.url("/secret")})
        assert failure(site.url("/out"), FetchConfig()).startswith("refused: 127.0.0.1 is")
        assert inside.requests == []


def test_localhost_by_name_is_refused_too():
    with web_site() as site:
        url = site.url("/a.html").replace("127.0.0.1", "localhost")
        assert failure(url, FetchConfig()).startswith("refused: localhost (")
