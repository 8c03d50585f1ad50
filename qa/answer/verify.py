"""verify(answer, index): everything an answer shows as a source or a quotation is really there.

Checks, each against the stored article:
* citations are numbered 1..n in order, every number is used in the text, and no marker points elsewhere;
* each citation is an exact span of its article (``article.text[start:end] == text``) with the article's
  title, url, date and outlet, and so is each passage in ``hits``;
* extractive answers carry each cited span verbatim right before its marker; a quote answer wraps it in
  quotation marks, the span lies within a quotation stored at ingest (or runs from one to another of the
  same speaker's: the parts of one statement), and the line names its speaker;
* every quotation in the text followed by a marker, and every quotation in a generated answer, is verbatim
  in the cited spans.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from qa.quotes.speakers import last_name_word
from qa.types import Answer, Article, Citation, Quote

if TYPE_CHECKING:
    from qa.index import Index

KINDS = ("quote", "sentences", "generated", "none")
_MARKER = re.compile(r"\[(\d+)\]")
_QUOTED_BEFORE_MARKER = re.compile(r"“([^“”]*)”\s*\[(\d+)\]")
_ANY_QUOTATION = re.compile(r"“([^“”]*)”")


class VerificationError(AssertionError):
    """An answer shows something its sources do not support."""


def verify(answer: Answer, index: Index) -> None:
    """Raise VerificationError listing every problem found; return None when the answer holds up."""
    problems = _problems(answer, index)
    if problems:
        raise VerificationError(f"{answer.question!r} ({answer.kind}): " + "; ".join(problems))


def _problems(answer: Answer, index: Index) -> list[str]:
    problems: list[str] = []
    if answer.kind not in KINDS:
        problems.append(f"unknown kind {answer.kind!r}")
    if not answer.text.strip():
        problems.append("empty answer text")
    numbers = [citation.number for citation in answer.citations]
    if numbers != list(range(1, len(numbers) + 1)):
        problems.append(f"citations numbered {numbers}, not 1..{len(numbers)}")
    used = {int(n) for n in _MARKER.findall(answer.text)}
    if used != set(numbers):
        problems.append(f"markers {sorted(used)} in the text, citations {numbers}")
    if answer.kind == "none" and answer.citations:
        problems.append("an abstention cites sources")
    if answer.kind != "none" and not answer.citations:
        problems.append("an answer without citations")
    article_ids = {citation.article_id for citation in answer.citations} | {hit.article_id for hit in answer.hits}
    articles = {article_id: index.article(article_id) for article_id in article_ids}
    for citation in answer.citations:
        problems += _citation_problems(citation, articles.get(citation.article_id))
    for hit in answer.hits:
        article = articles.get(hit.article_id)
        if article is None or article.text[hit.start:hit.end] != hit.text:
            problems.append(f"passage {hit.article_id}:{hit.start}-{hit.end} is not an exact span of its article")
    by_number = {citation.number: citation for citation in answer.citations}
    if answer.kind in ("quote", "sentences"):
        problems += _extractive_problems(answer, by_number)
    if answer.kind == "quote":
        problems += _attribution_problems(answer, by_number, index)
    if answer.kind == "generated":
        cited = [citation.text for citation in answer.citations]
        problems += [f"quotation “{words[:60]}” is in no cited passage"
                     for words in _ANY_QUOTATION.findall(answer.text) if not any(words in text for text in cited)]
    return problems


def _citation_problems(citation: Citation, article: Article | None) -> list[str]:
    where = f"[{citation.number}] {citation.article_id}:{citation.start}-{citation.end}"
    if article is None:
        return [f"{where}: no such article in the index"]
    problems = []
    if not citation.text or article.text[citation.start:citation.end] != citation.text:
        problems.append(f"{where}: not an exact span of the article")
    shown = (citation.title, citation.url, citation.published, citation.source)
    if shown != (article.title, article.url, article.published, article.source):
        problems.append(f"{where}: title, url, date or outlet differ from the article's")
    return problems


def _extractive_problems(answer: Answer, by_number: dict[int, Citation]) -> list[str]:
    """Each marker follows its cited words, verbatim (inside quotation marks for quotes)."""
    problems = []
    previous_end = 0
    for marker in _MARKER.finditer(answer.text):
        citation = by_number.get(int(marker.group(1)))
        before = answer.text[previous_end:marker.start()].rstrip()
        previous_end = marker.end()
        if citation is None:
            continue
        expected = f"“{citation.text}”" if answer.kind == "quote" else citation.text
        if not before.endswith(expected):
            problems.append(f"[{citation.number}] is not right after its cited words")
    for words, number in _QUOTED_BEFORE_MARKER.findall(answer.text):
        citation = by_number.get(int(number))
        if citation is not None and words not in citation.text:
            problems.append(f"quotation “{words[:60]}” is not in citation [{number}]")
    return problems


def _attribution_problems(answer: Answer, by_number: dict[int, Citation], index: Index) -> list[str]:
    """Each quoted span lies within a quote stored at ingest, and its line names that quote's speaker."""
    problems = []
    for line in answer.text.splitlines():
        for number in _MARKER.findall(line):
            citation = by_number.get(int(number))
            if citation is None:
                continue
            stored = _quotations_spanned(citation, index)
            if not stored:
                problems.append(f"[{number}] is not within a quotation found in its article")
            elif len({q.speaker for q in stored}) > 1:
                problems.append(f"[{number}] spans quotations of {' and '.join(sorted({q.speaker for q in stored}))}")
            # the words before the quotation: a statement's own attribution ("…,” Blinken said. “…") is not
            # the answer naming its speaker
            elif last_name_word(stored[0].speaker) not in line.split(f"“{citation.text}”")[0]:
                problems.append(f"[{number}] is {stored[0].speaker}'s, but its line does not name them")
    return problems


def _quotations_spanned(citation: Citation, index: Index) -> list[Quote]:
    """The stored quotations a quote citation covers: one that holds it, or the parts of one statement
    (qa.answer.statements) that it runs from the first's words to the last's; [] when it starts or ends
    outside a quotation."""
    overlapping = sorted((q for q in index.store.quotes(article_ids=[citation.article_id])
                          if q.start < citation.end and citation.start < q.end), key=lambda q: q.start)
    if not overlapping or citation.start < overlapping[0].start or overlapping[-1].end < citation.end:
        return []
    return overlapping
