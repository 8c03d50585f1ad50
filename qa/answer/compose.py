"""What every kind of answer shares: the request it answers, the numbering of its citations, the
"(Read as: …)" line of a rewritten follow-up, and the paragraph around a cited span."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from qa.text import split_sentences
from qa.types import Answer, Citation, Filters, Hit

if TYPE_CHECKING:
    from qa.answer.question import Question

CONTEXT_CHARACTERS = 1500  # a longer paragraph is cut to the sentences around the quote


@dataclass(frozen=True)
class Request:
    """A question and how to retrieve for it: ``k`` passages from the articles ``filters`` allows, with
    Index.search's ``mode``."""

    question: Question
    k: int
    filters: Filters
    mode: str | None

    def answer(self, text: str, citations: Citations, hits: Sequence[Hit], kind: str) -> Answer:
        return Answer(
            question=self.question.asked, text=self.with_reading(text), citations=citations.all(), hits=tuple(hits),
            kind=kind,
        )

    def nothing(self, text: str, hits: Sequence[Hit]) -> Answer:
        return self.answer(text, Citations(), hits, "none")

    def with_reading(self, text: str) -> str:
        """A follow-up rewritten from the conversation says how it was read, so a wrong guess shows."""
        if not self.question.rewritten:
            return text
        return f"(Read as: {self.question.standalone})\n{text}"


class Citations:
    """Numbers spans 1..n in order of first use; citing the same span twice gives the same number."""

    def __init__(self) -> None:
        self._citations: list[Citation] = []

    def cite(self, source: Hit, start: int, end: int, text: str | None = None) -> int:
        """Cite article[start:end] of the article ``source`` (a passage of it) describes."""
        for citation in self._citations:
            if (citation.article_id, citation.start, citation.end) == (source.article_id, start, end):
                return citation.number
        words = text if text is not None else source.text[start - source.start:end - source.start]
        self._citations.append(Citation(
            number=len(self._citations) + 1, article_id=source.article_id, start=start, end=end, text=words,
            title=source.title, url=source.url, published=source.published, source=source.source,
            page=source.page_of(start),
        ))
        return len(self._citations)

    def all(self) -> tuple[Citation, ...]:
        return tuple(self._citations)


def context_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The paragraph(s) holding text[start:end]; a very long paragraph is cut to the sentences around it."""
    first = text.rfind("\n", 0, start) + 1
    last = text.find("\n", end)
    last = len(text) if last < 0 else last
    while first < start and text[first].isspace():
        first += 1
    while last > end and text[last - 1].isspace():
        last -= 1
    if last - first <= CONTEXT_CHARACTERS:
        return first, last
    margin = (CONTEXT_CHARACTERS - (end - start)) // 2
    sentences = [
        (first + s.start, first + s.end) for s in split_sentences(text[first:last])
        if first + s.end > start - margin and first + s.start < end + margin
    ]
    if not sentences:
        return start, end
    return min(sentences[0][0], start), max(sentences[-1][1], end)
