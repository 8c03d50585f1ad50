"""The chat's HTML: the question, the answer with its numbered citations, the sources panel, the index
facts and the upload report, and the CSS that styles them. Plain functions of the answer, without Gradio.

Every piece of article text or metadata goes through ``html.escape`` before it reaches the page;
only the markup written here is HTML. Gradio's own sanitizer is a second line of defence, not the first."""

from __future__ import annotations

import html
import re
from datetime import date
from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:
    from qa.types import Answer, Citation, Hit, IngestReport

CONTEXT_CHARACTERS = 220  # shown either side of a cited sentence in the reply

_CITATION_MARKER = re.compile(r"\[(\d+)\]")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")

CSS = """
.gradio-container { max-width: 1320px !important; margin: 0 auto !important; }
#qa-header { align-items: flex-end; border-bottom: 1px solid var(--border-color-primary); padding-bottom: 10px; }
#qa-header h1 { font-size: 1.7rem; font-weight: 600; margin: 0; letter-spacing: -0.01em; }
#qa-header p { margin: 2px 0 0; color: var(--body-text-color-subdued); }
#qa-chat { border: 1px solid var(--border-color-primary) !important; border-radius: var(--radius-lg); }
#qa-chat .example { border: 1px solid var(--border-color-primary); border-radius: var(--radius-lg);
                    background: var(--background-fill-secondary); }
#qa-chat .example:hover { border-color: var(--color-accent); }
#qa-question { border: 1px solid var(--border-color-primary) !important; border-radius: var(--radius-lg); }
#qa-question .submit-button { background: var(--button-primary-background-fill);
                              color: var(--button-primary-text-color); border-radius: var(--radius-md);
                              padding: 6px 18px; font-weight: 600; }
#qa-filters .timebox input { min-width: 0; width: 100%; }
#qa-facts { text-align: right; color: var(--body-text-color-subdued); font-size: 0.9rem; }
#qa-facts b { color: var(--body-text-color); }
.qa-answer { font-size: 1.02rem; line-height: 1.6; }
.qa-draft .qa-answer::after { content: "▍"; color: var(--color-accent); animation: qa-blink 1s steps(2) infinite; }
@keyframes qa-blink { 50% { opacity: 0; } }
.qa-ref { color: var(--color-accent); font-weight: 600; font-size: 0.8em; }
.qa-citations { margin-top: 12px; display: flex; flex-direction: column; gap: 10px; }
.qa-citation { border-left: 3px solid var(--color-accent); padding: 2px 0 2px 10px; }
.qa-citation-head { font-weight: 600; }
.qa-num { color: var(--color-accent); margin-right: 4px; }
.qa-meta { color: var(--body-text-color-subdued); font-size: 0.85rem; margin: 1px 0 4px; }
.qa-passage { font-size: 0.92rem; line-height: 1.55; margin: 0; color: var(--body-text-color); }
.qa-passage mark { background: #fde68a; color: #1f2937; padding: 0 2px; border-radius: 3px; }
.qa-sources { display: flex; flex-direction: column; gap: 12px; max-height: 640px; overflow-y: auto; }
.qa-sources-head { color: var(--body-text-color-subdued); font-size: 0.9rem; }
.qa-hit { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 10px 12px;
          background: var(--background-fill-primary); }
.qa-hit.qa-cited { border-color: var(--color-accent); }
.qa-hit-top { display: flex; gap: 8px; align-items: baseline; }
.qa-hit-title { font-weight: 600; flex: 1; }
.qa-rank { color: var(--body-text-color-subdued); font-variant-numeric: tabular-nums; }
.qa-score { font-variant-numeric: tabular-nums; font-size: 0.8rem; color: var(--body-text-color-subdued);
            background: var(--background-fill-secondary); border-radius: 6px; padding: 1px 6px; white-space: nowrap; }
.qa-empty { color: var(--body-text-color-subdued); padding: 24px 8px; text-align: center; }
.qa-report { font-size: 0.92rem; }
.qa-hint { font-size: 0.85rem; color: var(--body-text-color-subdued); margin: 0; }
.qa-hint code { font-size: 0.8rem; padding: 0 2px; }
.qa-report ul { margin: 6px 0 0 18px; padding: 0; }
.qa-report .qa-failed { color: var(--error-text-color); }
"""


# -- rendering ---------------------------------------------------------------------------------
# Chat messages go through Markdown; an HTML block without blank lines is passed through untouched,
# so article text with * or _ in it is not reformatted. Hence everything below is one line.


def question_html(question: str) -> str:
    return f'<div class="qa-question">{_escape(question)}</div>'


def answer_html(answer: Answer) -> str:
    """The reply: the answer with its [n] markers, then each numbered source with its cited sentence."""
    cited = "".join(_citation_html(citation, answer.hits) for citation in answer.citations)
    sources = f'<div class="qa-citations">{cited}</div>' if cited else ""
    return f'<div class="qa-reply">{answer_text_html(answer.text)}{sources}</div>'


def answer_text_html(text: str) -> str:
    lines = "<br>".join(_escape(line) for line in text.splitlines())
    marked = _CITATION_MARKER.sub(r'<sup class="qa-ref">[\1]</sup>', lines)
    return f'<div class="qa-answer">{marked}</div>'


def _citation_html(citation: Citation, hits: Sequence[Hit]) -> str:
    hit = _hit_containing(citation, hits)
    passage = _highlighted(hit, [citation], CONTEXT_CHARACTERS) if hit else f"<mark>{_escape(citation.text)}</mark>"
    return (
        f'<div class="qa-citation"><div class="qa-citation-head"><span class="qa-num">[{citation.number}]</span>'
        f'{_title_link(citation.title or citation.article_id, citation.url)}</div>'
        f'<div class="qa-meta">{_byline(citation.source, citation.published)}{_page(citation.page)}</div>'
        f'<p class="qa-passage">{passage}</p></div>'
    )


def sources_html(answer: Answer) -> str:
    """The sources panel: every retrieved passage with its score, cited sentences highlighted."""
    if not answer.hits:
        return '<div class="qa-empty">No passage matched. Try other words, or loosen the filters.</div>'
    cards = "".join(_hit_html(rank, hit, answer.citations) for rank, hit in enumerate(answer.hits, 1))
    heading = f'{_count(len(answer.hits), "passage")} for “{_escape(answer.question)}”'
    return f'<div class="qa-sources"><div class="qa-sources-head">{heading}</div>{cards}</div>'


def _hit_html(rank: int, hit: Hit, citations: Sequence[Citation]) -> str:
    cited = [citation for citation in citations if _hit_containing(citation, [hit])]
    numbers = "".join(f" [{citation.number}]" for citation in cited)
    byline = _byline(hit.source, hit.published) + _page(hit.page) + (f" · cited as{numbers}" if cited else "")
    return (
        f'<div class="qa-hit{" qa-cited" if cited else ""}">'
        f'<div class="qa-hit-top"><span class="qa-rank">{rank}.</span>'
        f'<span class="qa-hit-title">{_title_link(hit.title or hit.article_id, hit.url)}</span>'
        f'<span class="qa-score" title="relevance score">{hit.score:.3f}</span></div>'
        f'<div class="qa-meta">{byline}</div><p class="qa-passage">{_highlighted(hit, cited)}</p>'
        f"{_also_in_html(hit)}</div>"
    )


def _also_in_html(hit: Hit) -> str:
    """The other copies of the hit's story (the same wire text elsewhere, updated versions)."""
    if not hit.also_in:
        return ""
    labels = [(copy.source or copy.article_id, _readable_date(copy.published), copy.url) for copy in hit.also_in]
    copies = ", ".join(_title_link(" · ".join(part for part in (name, day) if part), url) for name, day, url in labels)
    return f'<div class="qa-meta qa-also-in">Also in: {copies}</div>'



def facts_html(facts: dict[str, Any]) -> str:
    return (
        f'<b>{facts["articles"]:,}</b> articles · <b>{facts["chunks"]:,}</b> chunks · '
        f'model <b>{_escape(facts["model"])}</b>'
    )


def report_html(report: IngestReport) -> str:
    """What an upload did, with each failure's reason."""
    summary = (
        f"Added <b>{report.added}</b>, replaced <b>{report.replaced}</b>, skipped <b>{report.skipped}</b>, "
        f"failed <b>{len(report.failed)}</b> · {_count(report.chunks, 'chunk')} in {report.seconds:.1f} s"
    )
    failures = "".join(
        f'<li class="qa-failed">{_escape(error.origin)}: {_escape(error.reason)}</li>' for error in report.failed
    )
    return f'<div class="qa-report">{summary}{f"<ul>{failures}</ul>" if failures else ""}</div>'


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def no_sources_html() -> str:
    return '<div class="qa-empty">The passages behind each answer appear here, with their scores.</div>'


def _hit_containing(citation: Citation, hits: Sequence[Hit]) -> Hit | None:
    """The passage that holds the cited span (spans are in article coordinates)."""
    return next((hit for hit in hits if hit.contains(citation.article_id, citation.start, citation.end)), None)


def _highlighted(hit: Hit, citations: Sequence[Citation], context: int | None = None) -> str:
    """The passage with each cited span in <mark>; with ``context``, only that much text around them."""
    spans = sorted((c.start - hit.start, c.end - hit.start) for c in citations)
    begin, end = 0, len(hit.text)
    if context is not None and spans:
        begin, end = _word_start(hit.text, spans[0][0] - context), _word_end(hit.text, spans[-1][1] + context)
    pieces, position = [], begin
    for start, stop in spans:
        if start < position:  # overlapping citations: the first one already covers this text
            continue
        pieces += [_escape(hit.text[position:start]), f"<mark>{_escape(hit.text[start:stop])}</mark>"]
        position = stop
    pieces.append(_escape(hit.text[position:end]))
    return ("…" if begin > 0 else "") + "".join(pieces).strip() + ("…" if end < len(hit.text) else "")


def _word_start(text: str, position: int) -> int:
    """The start of the first whole word at or after ``position``."""
    if position <= 0:
        return 0
    space = text.find(" ", position)
    return space + 1 if space != -1 else position


def _word_end(text: str, position: int) -> int:
    """The end of the last whole word before ``position``."""
    if position >= len(text):
        return len(text)
    space = text.rfind(" ", 0, position)
    return space if space != -1 else position


def _title_link(title: str, url: str) -> str:
    if url.lower().startswith(("http://", "https://")):  # never javascript: or data: links
        return f'<a href="{_escape(url)}" target="_blank" rel="noopener noreferrer">{_escape(title)}</a>'
    return _escape(title)


def _page(page: int | None) -> str:
    return f" · p. {page}" if page else ""


def _byline(source: str, published: str) -> str:
    return " · ".join(_escape(part) for part in (source or "Unknown outlet", _readable_date(published)) if part)


def _readable_date(published: str) -> str:
    try:
        day = date.fromisoformat(published)
    except ValueError:
        return published
    return f"{day.day} {day:%b %Y}"


def _escape(text: str) -> str:
    """HTML-escaped text on one source line, line breaks as <br> (see the note above on Markdown)."""
    return _LINE_BREAKS.sub("<br>", html.escape(text, quote=True))
