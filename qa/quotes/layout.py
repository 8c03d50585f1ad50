"""Where things are in one article, for find_quotes: its paragraphs, sentences, quotations and the mentions
of names, looked up by position (the reader, qa.quotes.reader, works out who is who on top of them)."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qa.quotes.lexicon import ABBREVIATIONS, PHOTO_CREDIT_RE, SENTENCE_END_RE
from qa.quotes.people import find_mentions
from qa.text import QuotationRules, find_quotations, split_paragraphs

if TYPE_CHECKING:
    from qa.quotes.people import Mention, Speaker
    from qa.types import Article

# Quote finding's own reading of quotation marks, so that the quotes stored in
# indexes stay what find_quotes gives (see EXTRACTOR_VERSION): guillemets count, and a second
# opening mark means that the first one was stray; two apostrophes close a quotation (“…for,’’ Tucker said).
QUOTATION_RULES = QuotationRules(marks='“”«»"', punctuation_as_space=False, opening_restarts=True,
                                 doubled_apostrophes_close=True)


@dataclass
class RawQuote:
    """A quotation, or one paragraph's part of one, with its speaker once attributed."""

    start: int
    end: int
    open_mark: int
    close_mark: int | None  # None: the quote runs to the end of its paragraph
    paragraph: int
    chain: int  # the parts of a quote running across paragraphs share a chain number
    speaker: Speaker | None = None  # None: not attributed (yet)
    adjacent_attribution: bool = False  # "“No,” he said." — keeps even a short quote


def _quote_spans(text: str, paragraphs: list[tuple[int, int]]) -> list[RawQuote]:
    """The quotations of ``text`` trimmed, empty ones left out; the parts of one share its chain."""
    quotes: list[RawQuote] = []
    for number, part in enumerate(find_quotations(text, paragraphs, QUOTATION_RULES)):
        end = part.closing if part.closing is not None else paragraphs[part.paragraph][1]
        end -= end < len(text) and text[end] in "’'"  # a closing mark typed as two apostrophes: before both
        chain = quotes[-1].chain if part.continues else number
        quotes.append(RawQuote(part.opening + 1, end, part.opening, part.closing, part.paragraph, chain))
    for quote in quotes:
        content = text[quote.start:quote.end]
        quote.start += len(content) - len(content.lstrip())
        quote.end -= len(content) - len(content.rstrip())
    return [q for q in quotes if q.end > q.start]


class ArticleLayout:
    """One article's paragraphs, sentences, quotations and mentions, computed once."""

    def __init__(self, article: Article) -> None:
        self.text = article.text
        self.paragraphs = split_paragraphs(self.text)
        self._paragraph_starts = [start for start, _ in self.paragraphs]
        # photo captions set between paragraphs: no one speaks or becomes the subject there
        self.captions = {number for number, (start, end) in enumerate(self.paragraphs)
                         if PHOTO_CREDIT_RE.search(self.text, start, end)}
        self._sentence_starts = self._find_sentence_starts()
        self.quotes = _quote_spans(self.text, self.paragraphs)
        self._quoted = [(q.open_mark, q.end) for q in self.quotes]
        self.mentions = find_mentions(self.text)
        self._mention_starts = [m.start for m in self.mentions]
        self.mention_at = {m.start: m for m in self.mentions}

    def paragraph_of(self, position: int) -> int:
        return max(0, bisect.bisect_right(self._paragraph_starts, position) - 1)

    def paragraph_before(self, paragraph: int) -> int | None:
        """The paragraph of news before ``paragraph``, past any photo caption; None at the first."""
        before = paragraph - 1
        while before in self.captions:
            before -= 1
        return before if before >= 0 else None

    def _find_sentence_starts(self) -> list[int]:
        starts = set(self._paragraph_starts)
        for boundary in SENTENCE_END_RE.finditer(self.text):
            word_before = re.search(r"[\w.]*$", self.text[max(0, boundary.start() - 12):boundary.start()]).group()
            is_initial = len(word_before) == 1 and word_before.isupper()
            if word_before.lower() not in ABBREVIATIONS and not is_initial:
                starts.add(boundary.end())
        return sorted(starts)

    def sentence_start(self, position: int) -> int:
        """Start of the sentence holding ``position`` (never before its paragraph)."""
        index = bisect.bisect_right(self._sentence_starts, position) - 1
        return max(self._sentence_starts[index], self.paragraphs[self.paragraph_of(position)][0])

    def sentence_end(self, position: int) -> int:
        """End of the sentence holding ``position`` (never past its paragraph)."""
        index = bisect.bisect_right(self._sentence_starts, position)
        end = self._sentence_starts[index] if index < len(self._sentence_starts) else len(self.text)
        return min(end, self.paragraphs[self.paragraph_of(position)][1])

    def inside_quote(self, position: int) -> bool:
        index = bisect.bisect_right(self._quoted, (position, float("inf"))) - 1
        return index >= 0 and self._quoted[index][0] <= position < self._quoted[index][1]

    def quote_right_before(self, position: int) -> str:
        """The words of the quotation that closes right before ``position`` and wants its attribution there
        ("“…,” he said"; not "on “The Show.” He claims"), else ""."""
        for quote in self.quotes:
            words = self.text[quote.start:quote.end]
            if quote.close_mark is not None and quote.close_mark < position \
                    and not self.text[quote.close_mark + 1:position].strip(" ,") and words[-1:] in tuple(",?!—–-…:"):
                return words
        return ""

    def mentions_between(self, start: int, end: int) -> list[Mention]:
        low = bisect.bisect_left(self._mention_starts, start)
        high = bisect.bisect_left(self._mention_starts, end)
        return [m for m in self.mentions[low:high] if m.end <= end]
