"""Paragraphs, sentences and quotations of a text, as exact character spans.

Pure functions shared by chunking and quote finding. A paragraph is a non-blank line: news
text carries one paragraph a line. Every line break ends a sentence (headlines and datelines
carry no final punctuation); blingfire finds the sentences within a line. Quotation marks
are paired paragraph by paragraph, their direction read from their neighbours.
"""

from __future__ import annotations

import ctypes
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum, auto
from functools import cached_property
from typing import TYPE_CHECKING

import blingfire

if TYPE_CHECKING:
    import Stemmer

# Characters the WordPiece tokenizer treats as word separators. Python's \s also matches
# control characters (\v, \f, \x1c, \x85 ...) that the tokenizer deletes, gluing the words
# around them together, so cutting there could make summed token counts too small.
WORD_SEPARATORS = "\t\n\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
LINE_BREAKS = "\r\n\u2028\u2029"
_SEPARATOR = re.compile(f"[{WORD_SEPARATORS}]")
_LINE = re.compile(f"[^{LINE_BREAKS}]+")
# A quotation mark after one of these opens a quotation; before one of these it closes one.
_BEFORE_OPENING = "([{—–-/"
_AFTER_CLOSING = ".,;:!?)]}—–-…"
_APOSTROPHES = "'’"
_OPENING_GLYPHS, _CLOSING_GLYPHS = "“«", "”»"


@dataclass(frozen=True)
class Sentence:
    """A sentence's span in the article text, without surrounding whitespace."""

    start: int
    end: int


# PyStemmer's stemmers keep state between calls and are documented as not thread-safe: one per thread.
_STEMMERS = threading.local()


def english_stemmer() -> Stemmer.Stemmer:
    """The English Snowball stemmer (bm25s's), this thread's own: every keyword index, BM25 of quote
    framings and description match stems words the same way."""
    stemmer = getattr(_STEMMERS, "english", None)
    if stemmer is None:
        import Stemmer

        stemmer = _STEMMERS.english = Stemmer.Stemmer("english")
    return stemmer


# --- paragraphs ------------------------------------------------------------------------


def split_paragraphs(text: str) -> list[tuple[int, int]]:
    """Spans of the non-blank lines of ``text``, stripped."""
    spans = (stripped_span(text, m.start(), m.end()) for m in _LINE.finditer(text))
    return [span for span in spans if span is not None]


def stripped_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """``text[start:end]`` without surrounding whitespace, or None when that leaves nothing."""
    piece = text[start:end]
    content = piece.strip()
    if not content:
        return None
    start += len(piece) - len(piece.lstrip())
    return start, start + len(content)


# --- sentences -------------------------------------------------------------------------


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of ``text`` in order; a line break always ends a sentence."""
    return paragraph_sentences(text, split_paragraphs(text))


def paragraph_sentences(text: str, paragraphs: list[tuple[int, int]]) -> list[Sentence]:
    """The sentences of the ``paragraphs`` of ``text`` (as split_paragraphs gives them), in order."""
    longest = max((end - start for start, end in paragraphs), default=0)
    blingfire_sentences = _BlingfireSentences(max_bytes=4 * longest)  # UTF-8: at most 4 bytes a character
    return [
        sentence
        for start, end in paragraphs
        for sentence in _sentences_in_paragraph(text, start, end, blingfire_sentences)
    ]


def _sentences_in_paragraph(
    text: str, start: int, end: int, blingfire_sentences: _BlingfireSentences
) -> list[Sentence]:
    paragraph = text[start:end]
    # Cutting only after a separator keeps tokens additive: no word is split in two.
    cuts = [c for c in blingfire_sentences.starts(paragraph) if _SEPARATOR.match(paragraph, c - 1)]
    bounds = [0, *cuts, len(paragraph)]
    spans = (stripped_span(text, start + a, start + b) for a, b in zip(bounds, bounds[1:]))
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


@dataclass(frozen=True)
class QuotationRules:
    """Which characters are quotation marks, and how a mark's neighbours decide its direction.

    Chunking and quote finding read marks slightly differently, and each keeps its reading:
    the spans one gives are stored in indexes, the quotes the other finds too.
    """

    marks: str  # e.g. '“”«»"'; “ and « open, ” and » close unless their neighbours say otherwise
    # True: punctuation on either side of a mark weighs as much as a space. False: a space on the far
    # side outweighs punctuation, and an apostrophe after a mark shows that it closes.
    punctuation_as_space: bool
    opening_restarts: bool  # a second opening mark restarts the quotation: the first one was stray
    # True: two apostrophes after a word ("…for,’’ Tucker said", "now.''") close a quotation, as typesetters
    # write a closing double mark; never an opening one, never between letters ("They''re").
    doubled_apostrophes_close: bool = False

    @cached_property
    def mark_pattern(self) -> re.Pattern[str]:
        doubled = r"(?<=[^\s’'])(?:’’|'')(?![\w’'])|" if self.doubled_apostrophes_close else ""
        return re.compile(f"{doubled}[{re.escape(self.marks)}]")


@dataclass(frozen=True)
class Quotation:
    """One paragraph's part of a quotation, from its opening mark to its closing mark."""

    opening: int  # position of the opening mark
    closing: int | None  # position of the closing mark; None: the part runs to the end of its paragraph
    paragraph: int  # index in the paragraphs
    continues: bool  # continues the previous part, left open at the end of the previous paragraph


class _Direction(Enum):
    OPEN = auto()
    CLOSE = auto()
    EITHER = auto()


def find_quotations(text: str, paragraphs: list[tuple[int, int]], rules: QuotationRules) -> list[Quotation]:
    """The quotations of the ``paragraphs`` of ``text``, in order and not overlapping.

    The open/closed state is reset at each paragraph, so a stray mark cannot swallow the
    article; a stray closing mark is ignored. A quotation left open at the end of a paragraph
    continues into the next one when that paragraph opens with a quotation mark (the news
    convention for multi-paragraph quotes): its part there ``continues``.
    """
    quotations: list[Quotation] = []
    for index, (start, end) in enumerate(paragraphs):
        previous = quotations[-1] if quotations else None
        continuable = previous is not None and previous.closing is None and previous.paragraph == index - 1
        opening: int | None = None  # of the quotation open at this point
        for match in rules.mark_pattern.finditer(text, start, end):
            doubled = len(match.group()) == 2  # a closing mark typed as two apostrophes: its second one counts
            direction = _Direction.CLOSE if doubled else _direction(text, match.start(), start, end, rules)
            if opening is None:
                if direction is not _Direction.CLOSE:
                    opening = match.start()
            elif direction is not _Direction.OPEN:
                quotations.append(Quotation(opening, match.end() - 1, index, continuable and opening == start))
                opening = None
            elif rules.opening_restarts:
                opening = match.start()
        if opening is not None:
            quotations.append(Quotation(opening, None, index, continuable and opening == start))
    return quotations


def _direction(text: str, position: int, start: int, end: int, rules: QuotationRules) -> _Direction:
    """Whether a quotation mark opens or closes, judged by its neighbours before its glyph.

    Context wins over glyph because typists and converters often get the direction of
    curly quotes wrong (e.g. ``said that ”the likelihood``).
    """
    before = text[position - 1] if position > start else " "
    after = text[position + 1] if position + 1 < end else " "
    gap_before = before.isspace() or before in _BEFORE_OPENING
    if rules.punctuation_as_space:
        gap_after = after.isspace() or after in _AFTER_CLOSING
        opens, closes = gap_before and not gap_after, gap_after and not gap_before
    else:
        gap_after = after.isspace() or after in _AFTER_CLOSING or after in _APOSTROPHES
        opens, closes = gap_before and not after.isspace(), gap_after and not before.isspace()
    if opens and not closes:
        return _Direction.OPEN
    if closes and not opens:
        return _Direction.CLOSE
    glyph = text[position]
    if glyph in _OPENING_GLYPHS:
        return _Direction.OPEN
    return _Direction.CLOSE if glyph in _CLOSING_GLYPHS else _Direction.EITHER
