"""Cut an article into sentence-aware, token-budgeted chunks with exact character spans.

Every line break ends a sentence (headlines and datelines carry no final punctuation);
blingfire finds the sentences within a line. Chunks are packed greedily from whole
sentences, measured in the embedding model's own tokens (summed per sentence: WordPiece
counts add up across whitespace). A chunk ends only where no quotation is open, and
preferably not between the parts of one attributed quote (“A,” he said. “B.”); only a
quotation larger than the budget is cut, at a sentence end.
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
_LINE_BREAK_CHARS = "\r\n\u2028\u2029"
_LINE = re.compile(f"[^{_LINE_BREAK_CHARS}]+")
_LINE_BREAK = re.compile(f"[{_LINE_BREAK_CHARS}]")
_QUOTE_MARK = re.compile('[“”"]')
# A quotation mark after one of these opens a quotation; before one of these it closes one.
_BEFORE_OPENING = "([{—–-/"
_AFTER_CLOSING = ".,;:!?)]}—–-…"


class _Break(IntEnum):
    """How good a place the gap after a unit is for ending a chunk; higher is better."""

    INSIDE_SENTENCE = 0
    INSIDE_QUOTE = 1
    BETWEEN_QUOTES = 2  # of one paragraph, e.g. at "he said." in “A,” he said. “B.”
    FREE = 3
    END_OF_TEXT = 4


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


# --- sentences -------------------------------------------------------------------------


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """Spans of the non-blank lines of ``text``, stripped."""
    spans = (_stripped(text, m.start(), m.end()) for m in _LINE.finditer(text))
    return [span for span in spans if span is not None]


def _sentences(text: str, paragraphs: list[tuple[int, int]]) -> list[Sentence]:
    longest = max((end - start for start, end in paragraphs), default=0)
    blingfire_sentences = _BlingfireSentences(max_bytes=4 * longest)  # UTF-8: at most 4 bytes a character
    return [
        sentence
        for start, end in paragraphs
        for sentence in _sentences_in_paragraph(text, start, end, blingfire_sentences)
    ]


def _stripped(text: str, start: int, end: int) -> tuple[int, int] | None:
    piece = text[start:end]
    content = piece.strip()
    if not content:
        return None
    start += len(piece) - len(piece.lstrip())
    return start, start + len(content)


def _sentences_in_paragraph(
    text: str, start: int, end: int, blingfire_sentences: _BlingfireSentences
) -> list[Sentence]:
    paragraph = text[start:end]
    # Cutting only after a separator keeps tokens additive: no word is split in two.
    cuts = [c for c in blingfire_sentences.starts(paragraph) if _GAP.match(paragraph, c - 1)]
    bounds = [0, *cuts, len(paragraph)]
    spans = (_stripped(text, start + a, start + b) for a, b in zip(bounds, bounds[1:]))
    return [Sentence(*span) for span in spans if span is not None]


class _BlingfireSentences:
    """Sentence starts from blingfire's C library, for texts of up to ``max_bytes`` in UTF-8.

    The Python wrapper ``text_to_sentences_and_offsets`` maps the library's UTF-8 byte
    offsets to character offsets in a per-byte Python loop, and allocating its ctypes
    buffers per call costs more than the splitting itself; on a large corpus those two
    are most of the chunking time. So the library is called directly, with buffers
    allocated once for all the paragraphs of an article.
    """

    def __init__(self, max_bytes: int) -> None:
        self._capacity = 2 * max_bytes + 1  # as the wrapper allows: output may add separators
        self._output = ctypes.create_string_buffer(self._capacity)
        self._starts = (ctypes.c_int32 * self._capacity)()
        self._ends = (ctypes.c_int32 * self._capacity)()

    def starts(self, paragraph: str) -> list[int]:
        """Character offsets in ``paragraph`` where its second and later sentences start."""
        # Lone surrogates become one "?" each, so character positions are unchanged.
        data = paragraph.encode("utf-8", "replace")
        written = blingfire.blingfire.TextToSentencesWithOffsets(
            ctypes.c_char_p(data), ctypes.c_int(len(data)), ctypes.byref(self._output),
            ctypes.byref(self._starts), ctypes.byref(self._ends), ctypes.c_int(self._capacity),
        )  # fmt: skip
        if written < 0 or written > self._capacity:
            return []
        # The output holds the sentences one a line.
        count = ctypes.string_at(self._output, written).count(b"\n") + 1
        # Offsets are of UTF-8 bytes; one on a continuation byte would not start a character.
        byte_starts = sorted({b for b in self._starts[1:count] if 0 < b < len(data) and data[b] & 0xC0 != 0x80})
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
    """``(opening, closing)`` positions of the quotations, in order and not overlapping.

    A paragraph that leaves a quotation open continues it when the next paragraph opens
    with a quotation mark (the news convention for multi-paragraph quotes); otherwise the
    quotation ends with the paragraph, so a stray mark cannot swallow the article.
    """
    quotations: list[tuple[int, int]] = []
    opening: int | None = None  # of the quotation open at this point
    for index, (start, end) in enumerate(paragraphs):
        for match in _QUOTE_MARK.finditer(text, start, end):
            mark = _mark(text, match.start(), start, end)
            if opening is None and mark is not _Mark.CLOSE:
                opening = match.start()
            elif opening is not None and mark is not _Mark.OPEN:
                quotations.append((opening, match.start()))
                opening = None
        continued = index + 1 < len(paragraphs) and _opens_with_quote(text, *paragraphs[index + 1])
        if opening is not None and not continued:
            quotations.append((opening, end))
            opening = None
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
    spans = (_stripped(text, *m.span()) for m in _WORD.finditer(text, start, end))
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
        piece = _stripped(text, start, fits)
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
