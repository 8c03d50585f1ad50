"""`qa ingest URL...` against a real loopback site: feeds and pages are added, bad addresses are one
line each, and when nothing could be added the exit status says so and the index is untouched."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from feed_files import page, rss
from pdf_files import pdf_bytes
from web_site import web_site

from qa.cli import main
from qa.index import Index

RSS = "application/rss+xml"


def fingerprint(folder: Path) -> tuple:
    """What the index stores: its counts and generation, and the bytes of its manifest."""
    with Index.open(folder) as index:
        stats = index.stats()
        generation = index.store.database.generation()
    manifest = hashlib.sha256((folder / "manifest.json").read_bytes()).hexdigest()
    return stats["articles"], stats["chunks"], generation, manifest


def test_a_feed_and_a_page_are_ingested_from_their_addresses(tmp_path, tiny_model_path, capsys):
    folder = tmp_path / "ix"
    with web_site() as site:
        site.put("/pier.html", page("Pier work to start in spring", ["Work on the new pier starts in spring."]))
        items = [{"title": f"Story {n}", "link": site.url(f"/s/{n}"), "guid": f"s{n}", "content": f"<p>Story {n} text about the harbour.</p>"} for n in range(3)]
        feed = site.put("/feed.xml", rss(items), content_type=RSS)
        report_pdf = site.put("/report.pdf", pdf_bytes([["Annual report"], ["Dredging the channel costs more."]]), content_type="application/pdf")
        argv = ["ingest", feed, site.url("/pier.html"), report_pdf, "--index", str(folder), "--model", str(tiny_model_path), "--json"]
        assert main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["added"], report["failed"]) == (5, 0)
    with Index.open(folder) as index:
        assert index.article("s1").title == "Story 1"
        assert index.article(site.url("/pier.html")).source == "127.0.0.1"
    assert main(["search", "dredging channel", "--index", str(folder), "--mode", "bm25", "-k", "1"]) == 0
    found = capsys.readouterr().out
    assert f"{report_pdf} chars 0-" in found and ", p. 1" in found


def test_bad_addresses_change_nothing_and_exit_non_zero(tmp_path, tiny_model_path, capsys):
    assert main(["ingest", "http://[::1/x", "--index", str(tmp_path / "never")]) == 1
    assert not (tmp_path / "never").exists()  # no index is made for nothing
    folder = tmp_path / "ix"
    story = tmp_path / "story.txt"
    story.write_text("Harbour budget\n\nThe harbour board approved the budget.\n", encoding="utf-8")
    assert main(["ingest", str(story), "--index", str(folder), "--model", str(tiny_model_path)]) == 0
    before = fingerprint(folder)
    capsys.readouterr()
    with web_site() as site:
        site.put("/broken.xml", "<?xml version='1.0'?><rss><channel><item><title>cut", content_type=RSS)
        site.put("/error", status=500, content_type="text/plain")
        site.put("/image.png", b"\x89PNG", content_type="image/png")
        site.put("/loop", status=302, headers={"Location": "/loop2"})
        site.put("/loop2", status=302, headers={"Location": "/loop"})
        urls = [site.url(path) for path in ("/broken.xml", "/missing", "/error", "/image.png", "/loop")] + ["ftp://x/y"]
        assert main(["ingest", *urls, "--index", str(folder)]) == 1
    err = capsys.readouterr().err.splitlines()
    skipped = [line for line in err if line.startswith("skipped ")]
    assert len(skipped) == len(urls)
    assert all(line.startswith(f"skipped {url}: ") for line, url in zip(skipped, urls))
    assert fingerprint(folder) == before
