"""Properties of paragraphs, sentences, quotations, chunks and quotes on hostile text (tests/hostile_text.py):
no exception, and every span exact, in bounds and in order."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hostile_text import article_texts, hostile_texts
from hypothesis import given
from hypothesis import strategies as st

from qa.chunk import chunk_article
from qa.quotes import find_quotes
from qa.text import LINE_BREAKS, WORD_SEPARATORS, QuotationRules, find_quotations, split_paragraphs, split_sentences
from qa.types import Article, Chunk

# The two readings of quotation marks in use (qa/quotes/layout.py, qa/chunk.py), and a third with every mark.
RULES = [
    QuotationRules(marks='“”«»"', punctuation_as_space=False, opening_restarts=True, doubled_apostrophes_close=True),
    QuotationRules(marks='“”"', punctuation_as_space=True, opening_restarts=False),
    QuotationRules(marks="“”«»\"‘’'„‹›", punctuation_as_space=True, opening_restarts=True),
]


def count_words(texts: Sequence[str]) -> list[int]:
    return [len(text.split()) for text in texts]


def assert_ascending_stripped_spans(text: str, spans: list[tuple[int, int]]) -> None:
    """In bounds, non-empty, without surrounding whitespace, in order, not overlapping, and nothing
    but whitespace left outside them."""
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text), (spans, len(text))
        piece = text[start:end]
        assert piece == piece.strip(), piece
        assert not text[previous_end:start].strip()
        previous_end = end
    assert not text[previous_end:].strip()


@given(hostile_texts(giant=True))
def test_paragraphs_are_the_stripped_non_blank_lines(text: str) -> None:
    paragraphs = split_paragraphs(text)
    assert_ascending_stripped_spans(text, paragraphs)
    for (_, end), (start, _) in zip(paragraphs, paragraphs[1:]):
        assert any(c in LINE_BREAKS for c in text[end:start])
    assert not any(c in LINE_BREAKS for start, end in paragraphs for c in text[start:end])


@given(hostile_texts(giant=True))
def test_sentences_are_stripped_spans_of_paragraphs_cut_at_separators(text: str) -> None:
    sentences = split_sentences(text)
    assert_ascending_stripped_spans(text, [(s.start, s.end) for s in sentences])
    paragraphs = split_paragraphs(text)
    for sentence in sentences:
        assert any(a <= sentence.start and sentence.end <= b for a, b in paragraphs)
    # Cut only where a word separator is, so that token counts of sentences add up.
    for before, after in zip(sentences, sentences[1:]):
        assert any(c in WORD_SEPARATORS for c in text[before.end : after.start]), text[before.end : after.start]


@pytest.mark.parametrize("rules", RULES, ids=["quote-finding", "chunking", "every-mark"])
@given(text=hostile_texts(giant=True))
def test_quotations_are_paired_marks_in_order_within_their_paragraph(rules: QuotationRules, text: str) -> None:
    paragraphs = split_paragraphs(text)
    quotations = find_quotations(text, paragraphs, rules)
    previous_end, previous = -1, None
    for quotation in quotations:
        start, end = paragraphs[quotation.paragraph]
        assert previous_end < quotation.opening and start <= quotation.opening < end
        assert text[quotation.opening] in rules.marks
        if quotation.closing is not None:
            doubled = rules.doubled_apostrophes_close and text[quotation.closing - 1:quotation.closing + 1] in ("’’", "''")
            assert quotation.opening < quotation.closing < end and (text[quotation.closing] in rules.marks or doubled)
        if quotation.continues:
            assert quotation.opening == start and previous is not None and previous.closing is None
            assert previous.paragraph == quotation.paragraph - 1
        previous_end = end if quotation.closing is None else quotation.closing
        previous = quotation


# --- chunks ----------------------------------------------------------------------------


def assert_chunks_exact(article: Article, chunks: list[Chunk], count_tokens, max_tokens: int) -> None:
    """What chunk_article promises: exact spans, ordinals 0..n-1, every chunk within budget, and every
    sentence covered (only whitespace, which str.strip drops, left outside the chunks)."""
    text = article.text
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    for chunk in chunks:
        assert chunk.article_id == article.id
        assert 0 <= chunk.start < chunk.end <= len(text) and text[chunk.start : chunk.end] == chunk.text
        assert chunk.text == chunk.text.strip()
    if chunks:
        assert max(count_tokens([c.text for c in chunks])) <= max_tokens
    for previous, following in zip(chunks, chunks[1:]):
        assert previous.start < following.start and previous.end < following.end
    covered = bytearray(len(text))
    for chunk in chunks:
        covered[chunk.start : chunk.end] = b"\1" * (chunk.end - chunk.start)
    for sentence in split_sentences(text):
        span = range(sentence.start, sentence.end)
        outside = "".join(text[i] for i in span if not covered[i])
        assert not outside.strip(), outside


@given(
    text=article_texts(giant=True),
    max_tokens=st.integers(1, 300),
    overlap_tokens=st.integers(0, 60),
)
def test_chunks_by_words_are_exact_and_within_budget(text: str, max_tokens: int, overlap_tokens: int) -> None:
    article = Article(id="a1", text=text)
    chunks = chunk_article(article, count_tokens=count_words, max_tokens=max_tokens, overlap_tokens=overlap_tokens)
    assert_chunks_exact(article, chunks, count_words, max_tokens)


@given(text=article_texts(), max_tokens=st.integers(1, 126), overlap_tokens=st.integers(0, 32))
def test_chunks_by_model_tokens_are_exact_and_within_budget(
    tiny_embedder, text: str, max_tokens: int, overlap_tokens: int
) -> None:
    article = Article(id="a1", text=text)
    count_tokens = tiny_embedder.count_tokens
    chunks = chunk_article(article, count_tokens=count_tokens, max_tokens=max_tokens, overlap_tokens=overlap_tokens)
    assert_chunks_exact(article, chunks, count_tokens, max_tokens)


# --- quotes ----------------------------------------------------------------------------


@given(article_texts(giant=True))
def test_quotes_are_exact_spans_in_reading_order(text: str) -> None:
    article = Article(id="a1", text=text)
    quotes = find_quotes(article)
    previous_end = 0
    for quote in quotes:
        assert quote.article_id == "a1"
        assert previous_end <= quote.start < quote.end <= len(text)
        assert text[quote.start : quote.end] == quote.text and quote.text == quote.text.strip()
        assert isinstance(quote.speaker, str) and isinstance(quote.role, str)
        assert quote.speaker or not quote.role  # a role only for a named speaker
        previous_end = quote.end
