"""Cut an article into sentence-aware, token-budgeted chunks with exact character spans.

Every line break ends a sentence (headlines and datelines carry no final punctuation);
blingfire finds the sentences within a line. Chunks are packed greedily from whole
sentences, measured in the embedding model's own tokens, and end only where no
quotation is open, unless a quotation alone is larger than the budget.
"""

from __future__ import annotations

import ctypes
import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import IntEnum, auto
from itertools import accumulate

import blingfire

from qa.types import Article, Chunk

TokenCounter = Callable[[Sequence[str]], list[int]]
"""Number of model tokens of each text, without special tokens."""


@dataclass(frozen=True)
class Sentence:
    """A sentence's span in the article text, without surrounding whitespace."""

    start: int
    end: int


# Characters the WordPiece tokenizer treats as word separators. Python's \s also matches
# control characters (\v, \f, \x1c, \x85 ...) that the tokenizer deletes, gluing the words
# around them together, so cutting there could make summed token counts too small.
_GAP_CHARS = "\t\n\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_GAP = re.compile(f"[{_GAP_CHARS}]")
_WORD = re.compile(f"[^{_GAP_CHARS}]+")
_LINE = re.compile("[^\r\n\u2028\u2029]+")
_QUOTE_MARK = re.compile('[“”"]')
# A quotation mark after one of these opens a quotation; before one of these it closes one.
_BEFORE_OPENING = "([{—–-/"
_AFTER_CLOSING = ".,;:!?)]}—–-…"


class _Break(IntEnum):
    """How good a place the gap after a unit is for ending a chunk; higher is better."""

    INSIDE_SENTENCE = 0
    INSIDE_QUOTE = 1
    FREE = 2
    END_OF_TEXT = 3


class _Mark(IntEnum):
    OPEN = auto()
    CLOSE = auto()
    TOGGLE = auto()


@dataclass(frozen=True)
class _Unit:
    """The smallest piece a chunk is built from: a sentence, or part of an over-long one."""

    start: int
    end: int
    tokens: int
    break_after: _Break


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of ``text`` in order; a line break always ends a sentence."""
    return _sentences(text, _paragraphs(text))


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
    paragraphs = _paragraphs(text)
    sentences = _sentences(text, paragraphs)
    if not sentences:
        return []
    tokens = count_tokens([text[s.start : s.end] for s in sentences])
    breaks = _sentence_breaks(sentences, _quotations(text, paragraphs))
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


# --- sentences -------------------------------------------------------------------------


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """Spans of the non-blank lines of ``text``, stripped."""
    spans = (_stripped(text, m.start(), m.end()) for m in _LINE.finditer(text))
    return [span for span in spans if span is not None]


def _sentences(text: str, paragraphs: list[tuple[int, int]]) -> list[Sentence]:
    return [s for start, end in paragraphs for s in _sentences_in_paragraph(text, start, end)]


def _stripped(text: str, start: int, end: int) -> tuple[int, int] | None:
    piece = text[start:end]
    content = piece.strip()
    if not content:
        return None
    start += len(piece) - len(piece.lstrip())
    return start, start + len(content)


def _sentences_in_paragraph(text: str, start: int, end: int) -> list[Sentence]:
    paragraph = text[start:end]
    # Cutting only after a separator keeps tokens additive: no word is split in two.
    cuts = [c for c in _sentence_starts(paragraph) if _GAP.match(paragraph, c - 1)]
    bounds = [0, *cuts, len(paragraph)]
    spans = (_stripped(text, start + a, start + b) for a, b in zip(bounds, bounds[1:]))
    return [Sentence(*span) for span in spans if span is not None]


def _sentence_starts(paragraph: str) -> list[int]:
    """Character offsets where blingfire starts the second and later sentences.

    Calls the C library directly: the Python wrapper ``text_to_sentences_and_offsets``
    converts its UTF-8 byte offsets to character offsets in a per-byte Python loop, which
    is most of the chunking time on a large corpus. The raw offsets are UTF-8 byte
    offsets (end inclusive); only the starts are needed.
    """
    # Lone surrogates become one "?" each, so character positions are unchanged.
    data = paragraph.encode("utf-8", "replace")
    capacity = 2 * len(data) + 1
    output = ctypes.create_string_buffer(capacity)
    starts = (ctypes.c_int32 * capacity)()
    ends = (ctypes.c_int32 * capacity)()
    written = blingfire.blingfire.TextToSentencesWithOffsets(
        ctypes.c_char_p(data), ctypes.c_int(len(data)),
        ctypes.byref(output), ctypes.byref(starts), ctypes.byref(ends), ctypes.c_int(capacity),
    )  # fmt: skip
    if written < 0 or written > capacity:
        return []
    count = output.value.count(b"\n") + 1
    # A start on a UTF-8 continuation byte would not be a character boundary.
    byte_starts = sorted({s for s in starts[1:count] if 0 < s < len(data) and data[s] & 0xC0 != 0x80})
    if len(data) == len(paragraph):
        return byte_starts
    return list(_char_offsets(data, byte_starts))


def _char_offsets(data: bytes, byte_offsets: list[int]) -> Iterator[int]:
    """Character offsets of ascending byte offsets that fall on character boundaries."""
    chars = previous = 0
    for offset in byte_offsets:
        chars += len(data[previous:offset].decode("utf-8"))
        previous = offset
        yield chars


# --- quotations ------------------------------------------------------------------------


def _quotations(text: str, paragraphs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``(opening, closing)`` positions of quotations, in order and not overlapping.

    Within a paragraph, everything from the first opening mark to the last closing mark
    is one quotation, so ``“A,” he said. “B.”`` is not separated from its attribution.
    A paragraph that leaves a quotation open continues it when the next paragraph opens
    with a quotation mark (the news convention for multi-paragraph quotes); otherwise
    the quotation ends with the paragraph.
    """
    quotations: list[tuple[int, int]] = []
    carried: int | None = None
    for index, (start, end) in enumerate(paragraphs):
        opening, closing, still_open = _quotation_in_paragraph(text, start, end, carried)
        carried = None
        if opening is None:
            continue
        if not still_open:
            quotations.append((opening, closing))
        elif index + 1 < len(paragraphs) and _opens_with_quote(text, *paragraphs[index + 1]):
            carried = opening
        else:
            quotations.append((opening, end))
    return quotations


def _quotation_in_paragraph(
    text: str, start: int, end: int, carried: int | None
) -> tuple[int | None, int, bool]:
    """First opening and last closing position in the paragraph, and whether it ends open."""
    opening, closing, is_open = carried, start, carried is not None
    for match in _QUOTE_MARK.finditer(text, start, end):
        mark = _mark(text, match.start(), start, end)
        if mark is _Mark.TOGGLE:
            mark = _Mark.CLOSE if is_open else _Mark.OPEN
        if mark is _Mark.OPEN and not is_open:
            is_open = True
            opening = match.start() if opening is None else opening
        elif mark is _Mark.CLOSE and is_open:
            is_open = False
            closing = match.start()
    return opening, closing, is_open


def _mark(text: str, position: int, start: int, end: int) -> _Mark:
    """Whether a quotation mark opens or closes, judged by its neighbours before its glyph.

    Context wins over glyph because typists and converters often get the direction of
    curly quotes wrong (e.g. ``said that ”the likelihood``).
    """
    before = text[position - 1] if position > start else " "
    after = text[position + 1] if position + 1 < end else " "
    gap_before = before.isspace() or before in _BEFORE_OPENING
    gap_after = after.isspace() or after in _AFTER_CLOSING
    if gap_before and not gap_after:
        return _Mark.OPEN
    if gap_after and not gap_before:
        return _Mark.CLOSE
    return {"“": _Mark.OPEN, "”": _Mark.CLOSE}.get(text[position], _Mark.TOGGLE)


def _opens_with_quote(text: str, start: int, end: int) -> bool:
    return _QUOTE_MARK.match(text, start) is not None and _mark(text, start, start, end) is not _Mark.CLOSE


def _sentence_breaks(sentences: list[Sentence], quotations: list[tuple[int, int]]) -> list[_Break]:
    """For each sentence, how good a chunk end the gap after it is."""
    breaks: list[_Break] = []
    index = 0
    for following in sentences[1:]:
        # A gap is inside a quotation when the next sentence starts after the opening
        # mark and no later than the closing mark.
        while index < len(quotations) and quotations[index][1] < following.start:
            index += 1
        inside = index < len(quotations) and quotations[index][0] < following.start
        breaks.append(_Break.INSIDE_QUOTE if inside else _Break.FREE)
    breaks.append(_Break.END_OF_TEXT)
    return breaks


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
        i: [m.span() for m in _WORD.finditer(text, sentence.start, sentence.end)]
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
        yield start, fits, max_tokens
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
    """Where the next chunk may start, best first: the most overlap outside quotations,
    then the most overlap at any sentence end, then no overlap."""
    if overlap_tokens == 0:
        return [fresh]
    # Starting at previous_first would repeat the whole previous chunk.
    candidates = [
        start
        for start in range(previous_first + 1, fresh)
        if prefix[fresh] - prefix[start] <= overlap_tokens
        and units[start - 1].break_after >= _Break.INSIDE_QUOTE
    ]
    outside = [start for start in candidates if units[start - 1].break_after >= _Break.FREE]
    inside = [start for start in candidates if units[start - 1].break_after < _Break.FREE]
    return [*outside, *inside, fresh]


def _best_chunk(
    units: list[_Unit], prefix: list[int], starts: list[int], fresh: int, max_tokens: int
) -> tuple[int, int]:
    """``(first, end)`` of the next chunk, end exclusive: the best kind of break reachable
    from the most preferred start, and the furthest such break within budget."""
    for level in (_Break.FREE, _Break.INSIDE_QUOTE, _Break.INSIDE_SENTENCE):
        for first in starts:
            end = _furthest_end(units, prefix, first, fresh, max_tokens, level)
            if end is not None:
                return first, end
    # Reached only when one unit alone is over budget, which _units prevents down to a
    # single character; taking it anyway keeps the chunker moving.
    return fresh, fresh + 1


def _furthest_end(
    units: list[_Unit], prefix: list[int], first: int, fresh: int, max_tokens: int, level: _Break
) -> int | None:
    limit = bisect_right(prefix, prefix[first] + max_tokens) - 1
    for end in range(limit, fresh, -1):
        if units[end - 1].break_after >= level:
            return end
    return None
