"""Hypothesis strategies for hostile article text: news prose mixed with what breaks naive text
handling. Imported by the property tests (tests/ is on sys.path, see conftest.py)."""

from __future__ import annotations

from hypothesis import strategies as st

WORDS = (
    "The", "minister", "said", "Blinken", "Lavrov", "talks", "were", "useful", "he", "she", "told",
    "reporters", "on", "Friday", "according", "to", "officials", "U.S.", "Mr.", "Dr.", "2022", "NATO",
    "Foreign", "Secretary", "added", "would", "not", "—", "–", "-", "--", "...", "e.g.",
)  # fmt: skip
PUNCTUATION = (".", ",", "!", "?", ";", ":", "…", "(", ")", "[", "'s", ".\"", ",”", "?!")
# Straight, curly, guillemets and single marks, in both directions: pairing must survive any mix.
QUOTE_MARKS = ('"', "“", "”", "«", "»", "‘", "’", "'", "„", "‹", "›", "‚")
OPENING = ('"', "“", "«", "‘", "'", "”", "»", "„")  # ” and » too: misdirected marks are common
CLOSING = ('"', "”", "»", "’", "'", "“", "«", "")  # "": left unclosed
SEPARATORS = (" ", " ", "  ", "\t", "\n", "\n\n", "\r\n", "\r", "\r\r\n", "\u2028", "\u2029", "\u00a0", "\u3000", "\v")
HOSTILE = (
    "\x00", "\x1c", "\x85", "\x0c", "\x7f",
    "\u202e", "\u200f", "\u202a", "\u2066", "\u061c",  # bidi controls
    "مرحبا", "قال الوزير", "שלום", "אמר", "\u05d0\u05b8",  # right-to-left letters, a Hebrew point
    "👍", "👍🏽", "👨\u200d👩\u200d👧", "🏳️\u200d🌈", "🇺🇸", "1️⃣",  # emoji, ZWJ sequences, skin tones
    "e\u0301", "\u0301", "a\u0301\u0302\u0303\u0304", "Z\u0335\u0336\u0337",  # combining marks
    "\u200b", "\u200c", "\u200d", "\ufeff", "\u2060",  # zero-width
    "\U0010ffff", "ﬁ", "İ", "ß", "ǅ", "Ⅻ", "½", "\u0130stanbul",
)  # fmt: skip
# Characters a huge word is made of: one byte, several bytes, a pair of code points, a mark alone.
_WORD_CHARACTERS = ("a", "é", "👍", "-", ".", "\u0301", "x\u200b", "ש", '"')


def long_words(min_size: int = 500, max_size: int = 3000) -> st.SearchStrategy[str]:
    return st.builds(lambda c, n: c * n, st.sampled_from(_WORD_CHARACTERS), st.integers(min_size, max_size))


def giant_lines() -> st.SearchStrategy[str]:
    """One line of about 100,000 characters: words without a line break, or one word."""
    spaced = st.builds(lambda word, n: " ".join([word] * n), st.sampled_from(WORDS[:12]), st.integers(8_000, 14_000))
    return st.one_of(spaced, long_words(90_000, 110_000))


def _pieces(giant: bool) -> st.SearchStrategy[str]:
    pieces = [
        st.sampled_from(WORDS), st.sampled_from(WORDS), st.sampled_from(PUNCTUATION), st.sampled_from(QUOTE_MARKS),
        st.sampled_from(SEPARATORS), st.sampled_from(SEPARATORS), st.sampled_from(HOSTILE), st.text(max_size=4),
        long_words(),
    ]  # fmt: skip
    return st.one_of(*pieces, giant_lines()) if giant else st.one_of(*pieces)


def hostile_texts(*, giant: bool = False, max_pieces: int = 60) -> st.SearchStrategy[str]:
    """Text made of words, punctuation, separators and hostile characters, with quotations nested
    inside each other (well-formed, misdirected or unclosed); ``giant`` adds lines of ~100k characters."""
    flat = st.lists(_pieces(giant), max_size=max_pieces).map("".join)

    def nest(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        quoted = st.tuples(st.sampled_from(OPENING), inner, st.sampled_from(CLOSING)).map("".join)
        part = st.one_of(inner, quoted, st.sampled_from(SEPARATORS), st.sampled_from(WORDS))
        return st.lists(part, max_size=6).map("".join)

    return st.recursive(flat, nest, max_leaves=6)


def article_texts(**options) -> st.SearchStrategy[str]:
    """Hostile texts that are not blank, as an Article's text always is."""
    return hostile_texts(**options).filter(lambda text: bool(text.strip()))
