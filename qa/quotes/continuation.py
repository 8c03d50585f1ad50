"""Quotations that go on with an earlier one's speaker: the next quote of a paragraph, a paragraph that is
only a quote after a paragraph ending with a person's quote, another part of a quote running across
paragraphs (the news convention for a long statement)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from qa.quotes.layout import QUOTATION_RULES
from qa.quotes.lexicon import WORD_RE

if TYPE_CHECKING:
    from qa.quotes.layout import RawQuote
    from qa.quotes.reader import ArticleReader

_PLUG_RE = re.compile(r"(?i)\bsign up\b|\bnewsletter\b|\bsubscribe\b")
_ATTRIBUTION_WORDS = 12  # after a quote, at most an attribution ("Paul Arriola said after training in Phoenix")


def _someone_else_between(reader: ArticleReader, earlier: RawQuote, later: RawQuote) -> bool:
    """Whether another speaker became the subject between two quotes, after the sentence attributing the
    first (whose appositive names others: "…,” said Carolyn Becker, California Lottery spokesperson. “…”).
    When a person spoke first, only another person counts: "…,” said Avi Bar-Zeev, a former employee at
    Apple and Microsoft. “…”"."""
    attribution_sentence = reader.sentence_start(earlier.end)
    return any(earlier.end < e.position < later.start and e.speaker.name != earlier.speaker.name
               and (e.speaker.is_person or not earlier.speaker.is_person)
               and reader.sentence_start(e.position) != attribution_sentence
               for e in reader.events)


def whole_paragraph(reader: ArticleReader, quote: RawQuote) -> bool:
    start, end = reader.paragraphs[quote.paragraph]
    after = reader.text[quote.close_mark + 1:end] if quote.close_mark is not None else ""
    return not reader.text[start:quote.open_mark].strip() and not after.strip(" .,")


def _continues(reader: ArticleReader, earlier: RawQuote, later: RawQuote) -> bool:
    """Whether ``later`` goes on with ``earlier``'s speaker: the next quote of the same paragraph, or a
    paragraph that is only a quote right after a paragraph ending with a person's quote (the news
    convention for a long statement: the paragraph before ends with the quote and its attribution), with no
    one else made the subject in between."""
    if earlier.speaker is None or later.speaker is not None or _someone_else_between(reader, earlier, later):
        return False
    if earlier.paragraph == later.paragraph:
        return True
    paragraph_end = reader.paragraphs[earlier.paragraph][1]
    # After the quote, its paragraph holds its attribution and nothing more: one sentence, however long
    # the appositive ("…,” Jane Doe, a historian at the state university who studies the region, told CNN.)
    attribution_only = (word_count(reader.text[earlier.end:paragraph_end]) <= _ATTRIBUTION_WORDS
                        or reader.sentence_start(paragraph_end - 1) <= earlier.end)
    return (earlier.speaker.is_person and whole_paragraph(reader, later) and attribution_only
            and all(_is_plug(reader, p) for p in range(earlier.paragraph + 1, later.paragraph)))


def _is_plug(reader: ArticleReader, paragraph: int) -> bool:
    """A promotion ("Sign up for our newsletter") or a photo caption set between the paragraphs of a
    statement, no news."""
    if paragraph in reader.captions:
        return True
    start, end = reader.paragraphs[paragraph]
    return bool(_PLUG_RE.search(reader.text, start, end)) and not QUOTATION_RULES.mark_pattern.search(
        reader.text, start, end)


def propagate(reader: ArticleReader, quotes: list[RawQuote]) -> None:
    """Unattributed quotes take the speaker of the quote they continue (_continues), or of another part of
    the same multi-paragraph quote, until nothing changes."""
    changed = True
    while changed:
        changed = False
        for earlier, later in zip(quotes, quotes[1:]):
            if _continues(reader, earlier, later):
                later.speaker, changed = earlier.speaker, True
        chain_speakers = {q.chain: q.speaker for q in quotes if q.speaker is not None}
        for quote in quotes:
            if quote.speaker is None and quote.chain in chain_speakers:
                quote.speaker, changed = chain_speakers[quote.chain], True


def word_count(text: str) -> int:
    return len(WORD_RE.findall(text))
