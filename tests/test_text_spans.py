"""Paragraphs, sentences and quotation spans (qa.text)."""

from __future__ import annotations

import threading

import blingfire
import pytest

from qa.text import (
    Quotation,
    QuotationRules,
    Sentence,
    english_stemmer,
    find_quotations,
    split_paragraphs,
    split_sentences,
    stripped_span,
)

# The two readings of quotation marks in use: quote finding's, and chunking's.
QUOTE_FINDING = QuotationRules(marks='“”«»"', punctuation_as_space=False, opening_restarts=True,
                               doubled_apostrophes_close=True)
CHUNKING = QuotationRules(marks='“”"', punctuation_as_space=True, opening_restarts=False)


def sentence_texts(text: str) -> list[str]:
    return [text[s.start : s.end] for s in split_sentences(text)]


def quoted(text: str, rules: QuotationRules) -> list[str]:
    """The words between each quotation's marks (to the end of its paragraph when it is not closed)."""
    paragraphs = split_paragraphs(text)
    quotations = find_quotations(text, paragraphs, rules)
    return [text[q.opening + 1 : paragraphs[q.paragraph][1] if q.closing is None else q.closing] for q in quotations]


# --- paragraphs ------------------------------------------------------------------------


def test_paragraphs_are_the_non_blank_lines_trimmed() -> None:
    text = "  First line. \n\n\t\nSecond\r\nThird\u2028Fourth\u2029Fifth\r \n"
    assert [text[a:b] for a, b in split_paragraphs(text)] == ["First line.", "Second", "Third", "Fourth", "Fifth"]
    assert split_paragraphs("") == [] and split_paragraphs(" \n\t\r\n ") == []


def test_stripped_span() -> None:
    assert stripped_span("ab  cd \t", 2, 9) == (4, 6)
    assert stripped_span("ab  cd", 2, 4) is None


# --- sentences -------------------------------------------------------------------------


def test_every_line_break_ends_a_sentence() -> None:
    text = (
        "BLINKEN TRIES TO CLEAN UP AFTER BIDEN IN GERMANY\n\n"
        "That support would not include intervention. He said so.\n"
        "Dateline without a stop\r\n"
        "  Indented line.\t\n\n\n"
    )
    assert sentence_texts(text) == [
        "BLINKEN TRIES TO CLEAN UP AFTER BIDEN IN GERMANY",
        "That support would not include intervention.",
        "He said so.",
        "Dateline without a stop",
        "Indented line.",
    ]


def test_sentence_offsets_are_characters_not_utf8_bytes() -> None:
    text = "“Héllo,” she said 😀. Next one’s here. Café é.\n\nZürich 日本 last."
    assert sentence_texts(text) == ["“Héllo,” she said 😀.", "Next one’s here.", "Café é.", "Zürich 日本 last."]
    assert split_sentences(text)[1] == Sentence(21, 37)


def test_sentences_agree_with_the_blingfire_python_wrapper() -> None:
    # qa.text calls blingfire's C library directly; its offsets must match the documented API.
    paragraph = "Ceci n’est pas “une pipe.” Señor Müller 😀 arrived at 5 p.m. on Monday. Done — mostly! Ok."
    _, offsets = blingfire.text_to_sentences_and_offsets(paragraph)
    expected = [Sentence(start, start + len(paragraph[start:end].rstrip())) for start, end in offsets]
    assert len(expected) > 2
    assert split_sentences(paragraph) == expected


def test_no_sentence_break_without_a_separator() -> None:
    # blingfire starts a sentence at "The"; cutting there would split the token "a.m.:The"
    # for a WordPiece tokenizer and make summed token counts too small.
    text = "• 11:28 a.m.:The shooter crashed his car. Then he ran."
    assert blingfire.text_to_sentences_and_offsets(text)[1][1] == (13, 41)
    assert sentence_texts(text) == ["• 11:28 a.m.:The shooter crashed his car.", "Then he ran."]


# --- quotations ------------------------------------------------------------------------


@pytest.mark.parametrize("rules", [QUOTE_FINDING, CHUNKING])
@pytest.mark.parametrize("text, expected", [
    ("He said “We will win.” Then he left.", ["We will win."]),
    ('He said "We will win." Then he left.', ["We will win."]),  # straight marks
    ("Biden said that ”the likelihood is low” today.", ["the likelihood is low"]),  # a backwards opening mark
    ("He left.” Then she said “we came.”", ["we came."]),  # a stray closing mark is ignored
    ("“A,” he said. “B.”", ["A,", "B."]),
    ("No quotation here.", []),
])
def test_quotation_spans(rules: QuotationRules, text: str, expected: list[str]) -> None:
    assert quoted(text, rules) == expected


def test_guillemets_count_for_quote_finding_only() -> None:
    text = "Il a dit « nous gagnerons » hier."
    assert quoted(text, QUOTE_FINDING) == [" nous gagnerons "]
    assert quoted(text, CHUNKING) == []


@pytest.mark.parametrize("rules", [QUOTE_FINDING, CHUNKING])
def test_a_quotation_continues_into_a_paragraph_that_opens_with_a_mark(rules: QuotationRules) -> None:
    text = "“We have a plan,\n\n“and we stick to it,” he said.\n\n“Next quote.”"
    assert find_quotations(text, split_paragraphs(text), rules) == [
        Quotation(opening=0, closing=None, paragraph=0, continues=False),
        Quotation(opening=text.index("“and"), closing=text.index("” he"), paragraph=1, continues=True),
        Quotation(opening=text.index("“Next"), closing=len(text) - 1, paragraph=2, continues=False),
    ]


@pytest.mark.parametrize("rules", [QUOTE_FINDING, CHUNKING])
def test_an_unclosed_quotation_ends_with_its_paragraph_otherwise(rules: QuotationRules) -> None:
    text = "He called it “a recipe for trouble.\n\nLavrov left. “We will see,” he said."
    quotations = find_quotations(text, split_paragraphs(text), rules)
    assert [(q.closing, q.continues) for q in quotations] == [(None, False), (text.index("” he"), False)]
    assert quoted(text, rules) == ["a recipe for trouble.", "We will see,"]


def test_a_second_opening_mark_restarts_a_quotation_for_quote_finding_only() -> None:
    text = "A “stray mark then “the real quote” ends here."
    assert quoted(text, QUOTE_FINDING) == ["the real quote"]
    assert quoted(text, CHUNKING) == ["stray mark then “the real quote"]


def test_two_apostrophes_after_a_word_close_a_quotation_for_quote_finding_only() -> None:
    text = "“That’s what we play for,’’ Jo Ames said, “a title.'' They''re ''Dune'' fans, ’’he said."
    closings = [q.closing for q in find_quotations(text, split_paragraphs(text), QUOTE_FINDING)]
    assert closings == [text.index("’’ Jo") + 1, text.index("'' They") + 1]  # the second apostrophe of each
    assert quoted(text, CHUNKING) == [text[1:]]  # chunking reads no apostrophe as a mark


def test_a_mark_inside_a_word_follows_its_glyph() -> None:
    text = 'O"Neil said "we won the game."'  # the first mark opens: nothing else says which way it goes
    assert quoted(text, QUOTE_FINDING) == ["we won the game."]  # ... until the next opening mark restarts
    assert quoted(text, CHUNKING) == ['Neil said "we won the game.']


def test_punctuation_after_a_mark_weighs_as_a_space_for_chunking_only() -> None:
    # A space before and a full stop after: quote finding reads an opening mark, chunking the glyph.
    text = 'They call it "Lovers Leap ". Then "a ghost appeared" there.'
    assert quoted(text, QUOTE_FINDING) == ["a ghost appeared"]
    assert quoted(text, CHUNKING) == ["Lovers Leap ", "a ghost appeared"]


def test_each_thread_stems_with_its_own_english_stemmer() -> None:
    mine = english_stemmer()
    theirs: list[object] = []
    worker = threading.Thread(target=lambda: theirs.append(english_stemmer()))
    worker.start()
    worker.join()
    assert english_stemmer() is mine
    assert theirs and theirs[0] is not mine
    assert mine.stemWords(["studying", "studies", "whites"]) == ["studi", "studi", "white"]
