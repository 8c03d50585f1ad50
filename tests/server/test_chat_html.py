"""The chat's HTML: numbered sources, highlighted citations, escaping, the upload report."""

from __future__ import annotations

from server_testing import CITED, PASSAGE, answer_of, hit

from qa.server.chat_html import answer_html, report_html, sources_html
from qa.types import Answer, IngestError, IngestReport


def test_the_reply_numbers_each_source_with_title_outlet_date_link_and_the_cited_sentence_marked():
    reply = answer_html(answer_of(hit()))
    assert '<sup class="qa-ref">[1]</sup>' in reply
    assert '<span class="qa-num">[1]</span>' in reply
    assert '<a href="https://news.example/deal" target="_blank" rel="noopener noreferrer">Deal near</a>' in reply
    assert "Daily Planet · 21 Jan 2022" in reply
    assert f"<mark>{CITED}</mark>" in reply
    assert "Talks went on for hours." in reply  # the passage around the citation, for context
    assert "\n" not in reply  # one line, so the chat's Markdown leaves the HTML alone


def test_a_long_passage_is_trimmed_to_whole_words_around_the_cited_sentence():
    long_text = "Earlier words here. " * 40 + CITED + " Later words here." * 40
    long_hit = hit(text=long_text, end=100 + len(long_text))
    reply = answer_html(answer_of(long_hit))
    passage = reply.split('<p class="qa-passage">')[1].split("</p>")[0]
    assert passage.startswith("…") and passage.endswith("…")
    assert f"<mark>{CITED}</mark>" in passage
    assert len(passage) < 600
    assert passage.removeprefix("…").split(" ")[0] in {"Earlier", "words", "here."}


def test_article_text_and_metadata_are_escaped_and_only_web_links_are_links():
    payload = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    evil = hit(title=payload, source=payload, text=PASSAGE + payload, url="javascript:alert(3)",
               end=100 + len(PASSAGE + payload))
    for html in (answer_html(answer_of(evil)), sources_html(answer_of(evil))):
        assert "<img" not in html and "<script" not in html
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&lt;script&gt;" in html
        assert "href=" not in html  # the javascript: url is not made a link


def test_the_sources_panel_lists_every_hit_with_its_score_and_marks_the_cited_one():
    other = hit(article_id="a2", title="Weather", text="Rain all day.", start=0, end=13, score=0.5)
    panel = sources_html(answer_of(hit(), other))
    assert "2 passages for “Is a deal near?”" in panel
    assert panel.count('<span class="qa-rank">') == 2
    assert "0.812" in panel and "0.500" in panel
    assert "cited as [1]" in panel and panel.count("cited as") == 1
    assert f"<mark>{CITED}</mark>" in panel
    assert "No passage matched" in sources_html(Answer(question="?", text="none", kind="none"))


def test_a_passage_from_a_pdf_names_its_page_in_the_sources_panel():
    panel = sources_html(answer_of(hit(page=3), hit(article_id="a2", text="Rain all day.", start=0, end=13)))
    assert "Daily Planet · 21 Jan 2022 · p. 3 · cited as [1]" in panel
    assert panel.count("p. ") == 1


def test_the_upload_report_gives_counts_and_each_failure_with_its_reason():
    report = IngestReport(
        added=2, skipped=1, chunks=5, seconds=1.25,
        failed=(IngestError("<b>x</b>.jsonl:3", "missing field 'text'"),),
    )
    html = report_html(report)
    assert "Added <b>2</b>, replaced <b>0</b>, skipped <b>1</b>, failed <b>1</b>" in html
    assert "&lt;b&gt;x&lt;/b&gt;.jsonl:3: missing field &#x27;text&#x27;" in html


def test_the_sources_panel_lists_the_other_copies_of_a_story_escaped_with_web_links_only():
    from qa.types import StoryCopy

    copies = (
        StoryCopy("c1", source="Wire <b>Service</b>", url="https://wire.example/1", published="2022-01-20"),
        StoryCopy("c2", source="", url="javascript:alert(1)", published=""),
    )
    panel = sources_html(answer_of(hit(also_in=copies)))
    assert "Also in: " in panel
    assert '<a href="https://wire.example/1" target="_blank" rel="noopener noreferrer">Wire &lt;b&gt;Service&lt;/b&gt; · 20 Jan 2022</a>' in panel
    assert "c2" in panel and "javascript:" not in panel
    assert "Also in" not in sources_html(answer_of(hit()))
