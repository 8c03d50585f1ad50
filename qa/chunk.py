"""Cut an article into sentence-aware, token-budgeted chunks with exact character spans.

Chunks are packed greedily from whole sentences (as qa.text splits them: every line break
ends one), measured in the embedding model's own tokens (summed per sentence: WordPiece
counts add up across whitespace). A chunk ends only where no quotation is open, and
preferably not between the parts of one attributed quote (“A,” he said. “B.”); only a
quotation larger than the budget is cut, at a sentence end.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import IntEnum
from itertools import accumulate
from typing import TYPE_CHECKING

from qa.text import (
    LINE_BREAKS,
    WORD_SEPARATORS,
    QuotationRules,
    find_quotations,
    paragraph_sentences,
    split_paragraphs,
    stripped_span,
)
from qa.types import Chunk

if TYPE_CHECKING:
    from qa.text import Sentence
    from qa.types import Article

TokenCounter = Callable[[Sequence[str]], list[int]]
"""Number of model tokens of each text, without special tokens."""


_WORD = re.compile(f"[^{WORD_SEPARATORS}]+")
_LINE_BREAK = re.compile(f"[{LINE_BREAKS}]")
# Chunking's own reading of quotation marks, as it always was, so that an article chunks into the
# spans already stored for it: curly and straight double marks, a second opening mark kept inside.
_QUOTATION_RULES = QuotationRules(marks='“”"', punctuation_as_space=True, opening_restarts=False)


class _Break(IntEnum):
    """How good a place the gap after a unit is for ending a chunk; higher is better."""

    INSIDE_SENTENCE = 0
    INSIDE_QUOTE = 1
    BETWEEN_QUOTES = 2  # of one paragraph, e.g. at "he said." in “A,” he said. “B.”
    FREE = 3
    END_OF_TEXT = 4


@dataclass(frozen=True)
class _Unit:
    """The smallest piece a chunk is built from: a sentence, or part of an over-long one."""

    start: int
    end: int
    tokens: int
    break_after: _Break


def chunk_article(
    article: Article, *, count_tokens: TokenCounter, max_tokens: int, overlap_tokens: int
) -> list[Chunk]:
    """Chunks of at most ``max_tokens`` whose ``text`` is exactly ``article.text[start:end]``.

    Consecutive chunks share their last whole sentences worth at most ``overlap_tokens``.
    """
    if max_tokens < 1:
        raise ValueError(f"max_tokens must be at least 1, got {max_tokens}")
    if overlap_tokens < 0:
        raise ValueError(f"overlap_tokens must not be negative, got {overlap_tokens}")
    text = article.text
    paragraphs = split_paragraphs(text)
    sentences = paragraph_sentences(text, paragraphs)
    if not sentences:
        return []
    tokens = count_tokens([text[s.start : s.end] for s in sentences])
    quotations = _quotations(text, paragraphs)
    breaks = _sentence_breaks(sentences, quotations, _attributions(text, quotations))
    units = _units(text, sentences, tokens, breaks, count_tokens, max_tokens)
    return [
        Chunk(
            article_id=article.id,
            ordinal=ordinal,
            start=units[first].start,
            end=units[last].end,
            text=text[units[first].start : units[last].end],
        )
        for ordinal, (first, last) in enumerate(_pack(units, max_tokens, overlap_tokens))
    ]


# --- quotations ------------------------------------------------------------------------


def _quotations(text: str, paragraphs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``(opening, closing)`` positions of the quotations, in order and not overlapping.

    A quotation running across paragraphs is one span; one left unclosed ends with its
    paragraph, so a stray mark cannot swallow the article.
    """
    quotations: list[tuple[int, int]] = []
    for part in find_quotations(text, paragraphs, _QUOTATION_RULES):
        closing = part.closing if part.closing is not None else paragraphs[part.paragraph][1]
        if part.continues:
            quotations[-1] = (quotations[-1][0], closing)
        else:
            quotations.append((part.opening, closing))
    return quotations


def _attributions(text: str, quotations: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``(closing, opening)`` gaps between consecutive quotations of one paragraph.

    In ``“A,” he said. “B.”`` both parts are one statement: better not separated.
    """
    return [
        (closing, opening)
        for (_, closing), (opening, _) in zip(quotations, quotations[1:])
        if _LINE_BREAK.search(text, closing, opening) is None
    ]


def _sentence_breaks(
    sentences: list[Sentence], quotations: list[tuple[int, int]], attributions: list[tuple[int, int]]
) -> list[_Break]:
    """For each sentence, how good a chunk end the gap after it is."""
    following_starts = [sentence.start for sentence in sentences[1:]]
    in_quotation = _covered(following_starts, quotations)
    in_attribution = _covered(following_starts, attributions)
    breaks = [
        _Break.INSIDE_QUOTE if quoted else _Break.BETWEEN_QUOTES if attributed else _Break.FREE
        for quoted, attributed in zip(in_quotation, in_attribution)
    ]
    return [*breaks, _Break.END_OF_TEXT]


def _covered(positions: list[int], spans: list[tuple[int, int]]) -> list[bool]:
    """For ascending positions, whether each lies in one of the ascending, disjoint spans.

    A span ``(a, b)`` covers ``a < position <= b``: a sentence starting right after a
    mark is inside, and one starting with the closing (or next opening) mark too.
    """
    covered: list[bool] = []
    index = 0
    for position in positions:
        while index < len(spans) and spans[index][1] < position:
            index += 1
        covered.append(index < len(spans) and spans[index][0] < position)
    return covered


# --- units -----------------------------------------------------------------------------


def _units(
    text: str,
    sentences: list[Sentence],
    tokens: list[int],
    breaks: list[_Break],
    count_tokens: TokenCounter,
    max_tokens: int,
) -> list[_Unit]:
    """One unit per sentence, except that sentences over budget are cut between words."""
    words = {
        i: _words(text, sentence.start, sentence.end)
        for i, (sentence, n) in enumerate(zip(sentences, tokens, strict=True))
        if n > max_tokens
    }
    word_texts = [text[a:b] for spans in words.values() for a, b in spans]
    word_tokens = iter(count_tokens(word_texts) if word_texts else [])
    units: list[_Unit] = []
    for i, (sentence, n, break_after) in enumerate(zip(sentences, tokens, breaks, strict=True)):
        if i not in words:
            units.append(_Unit(sentence.start, sentence.end, n, break_after))
            continue
        pieces = _pieces(text, words[i], [next(word_tokens) for _ in words[i]], count_tokens, max_tokens)
        units.extend(_Unit(*piece, _Break.INSIDE_SENTENCE) for piece in pieces[:-1])
        units.append(_Unit(*pieces[-1], break_after))
    return units


def _words(text: str, start: int, end: int) -> list[tuple[int, int]]:
    # Stripped too: a chunk must not end in a control character that str.strip removes.
    spans = (stripped_span(text, *m.span()) for m in _WORD.finditer(text, start, end))
    return [span for span in spans if span is not None]


def _pieces(
    text: str, words: list[tuple[int, int]], tokens: list[int], count_tokens: TokenCounter, max_tokens: int
) -> list[tuple[int, int, int]]:
    """``(start, end, tokens)`` runs of whole words that fit the budget."""
    pieces: list[tuple[int, int, int]] = []
    for (start, end), n in zip(words, tokens, strict=True):
        if n > max_tokens:
            pieces.extend(_word_pieces(text, start, end, count_tokens, max_tokens))
        elif pieces and pieces[-1][2] + n <= max_tokens:
            pieces[-1] = (pieces[-1][0], end, pieces[-1][2] + n)
        else:
            pieces.append((start, end, n))
    return pieces


def _word_pieces(
    text: str, start: int, end: int, count_tokens: TokenCounter, max_tokens: int
) -> Iterator[tuple[int, int, int]]:
    """A word over budget (a run of punctuation, say) cut into the longest fitting prefixes.

    Tokens of the parts of one word need not add up to the tokens of the whole word, so
    each piece is charged the whole budget: it can only ever make up a chunk by itself.
    """
    while start < end:
        fits, too_long = start + 1, end + 1
        while too_long - fits > 1:
            middle = (fits + too_long) // 2
            if count_tokens([text[start:middle]])[0] <= max_tokens:
                fits = middle
            else:
                too_long = middle
        piece = stripped_span(text, start, fits)
        if piece is not None:
            yield *piece, max_tokens
        start = fits


# --- packing ---------------------------------------------------------------------------


def _pack(units: list[_Unit], max_tokens: int, overlap_tokens: int) -> list[tuple[int, int]]:
    """``(first, last)`` unit indexes of each chunk, inclusive."""
    prefix = [0, *accumulate(unit.tokens for unit in units)]
    chunks: list[tuple[int, int]] = []
    fresh = 0  # first unit not yet in any chunk
    while fresh < len(units):
        previous_first = chunks[-1][0] if chunks else fresh
        starts = _overlap_starts(units, prefix, previous_first, fresh, overlap_tokens)
        first, end = _best_chunk(units, prefix, starts, fresh, max_tokens)
        chunks.append((first, end - 1))
        fresh = end
    return chunks


def _overlap_starts(
    units: list[_Unit], prefix: list[int], previous_first: int, fresh: int, overlap_tokens: int
) -> list[int]:
    """Where the next chunk may start, best first: after the best kind of break (outside
    quotations if possible), then with the most overlap; no overlap last."""
    if overlap_tokens == 0:
        return [fresh]
    # Starting at previous_first would repeat the whole previous chunk.
    candidates = [
        start
        for start in range(previous_first + 1, fresh)
        if prefix[fresh] - prefix[start] <= overlap_tokens
        and units[start - 1].break_after > _Break.INSIDE_SENTENCE  # whole sentences only
    ]
    return [*sorted(candidates, key=lambda start: (-units[start - 1].break_after, start)), fresh]


def _best_chunk(
    units: list[_Unit], prefix: list[int], starts: list[int], fresh: int, max_tokens: int
) -> tuple[int, int]:
    """``(first, end)`` of the next chunk, end exclusive: the best kind of break reachable
    from the most preferred start, and the furthest such break within budget."""
    for level in (_Break.FREE, _Break.BETWEEN_QUOTES, _Break.INSIDE_QUOTE, _Break.INSIDE_SENTENCE):
        for first in starts:
            end = _furthest_end(units, prefix, first, fresh, max_tokens, level)
            if end is not None:
                return first, end
    # Unreachable while every unit fits the budget, as _units ensures; keeps the loop moving.
    return fresh, fresh + 1


def _furthest_end(
    units: list[_Unit], prefix: list[int], first: int, fresh: int, max_tokens: int, level: _Break
) -> int | None:
    limit = bisect_right(prefix, prefix[first] + max_tokens) - 1
    for end in range(limit, fresh, -1):
        if units[end - 1].break_after >= level:
            return end
    return None
