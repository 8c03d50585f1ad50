"""Quote answers to "what did X say about Y" (qa/answer/quote.py), ranked quotes (qa/answer/quote_ranking.py),
and what is said when there is no quotation. conftest verifies every answer."""

from __future__ import annotations

import re

import pytest

from qa.answer import ask
from qa.index import Index
from qa.types import Answer, Filters

ARTICLE_5 = "Our Article 5 commitment extends to NATO allies"

pytestmark = pytest.mark.minilm


def quoted_lines(answer: Answer) -> list[tuple[str, str, int]]:
    """(words before the quotation, the quotation, its citation number) of each quote line; a statement
    split by its attribution is one quotation, the reporter's marks inside it."""
    return [(m.group(1), m.group(2), int(m.group(3)))
            for m in re.finditer(r"^([^“]*)“(.*)” \[(\d+)\]$", answer.text, re.MULTILINE)]


# -- who said what ---------------------------------------------------------------------------------


def test_the_canonical_question_quotes_blinken_verbatim_and_cites_the_article(index: Index) -> None:
    answer = ask(index, "what did Blinken say about Article 5?")
    assert answer.kind == "quote"
    # Blinken spoke of Article 5 twice in one statement, split by "Blinken said, referring to …": it is
    # quoted whole, as one citation.
    lines = quoted_lines(answer)
    assert lines[0][0].startswith("Antony Blinken (Secretary of State) said")
    assert "Washington Examiner" in lines[0][0] and "2022-01-21" in lines[0][0]  # where his words were published
    words, number = next((words, number) for _, words, number in lines if words.startswith(ARTICLE_5))
    first = answer.citations[number - 1]
    article = index.article(first.article_id)
    assert article is not None and article.text[first.start:first.end] == first.text == words
    assert "It’s not covered by the Article 5 commitment" in words
    assert (first.source, first.published) == ("Washington Examiner", "2022-01-21")
    # the chat shows the paragraph around the quote, with the quote inside it
    assert any(h.article_id == first.article_id and h.start <= first.start and first.end <= h.end for h in answer.hits)


def test_a_role_names_the_speaker_too(index: Index) -> None:
    answer = ask(index, "What did the secretary of state say about a renewed invasion?")
    assert answer.kind == "quote"
    lead, words, _ = quoted_lines(answer)[0]
    assert words.startswith("If any Russian military forces move across Ukraine’s border")
    assert lead.startswith("Antony Blinken (Secretary of State)")


def test_biden_is_quoted_as_biden_not_as_blinken(index: Index) -> None:
    answer = ask(index, "what did Biden say about Ukraine joining NATO?")
    lead, words, _ = quoted_lines(answer)[0]
    assert words.startswith("the likelihood that Ukraine is going to join NATO")
    assert lead.startswith("Joe Biden (President) said") and "Blinken" not in lead


def test_a_speaker_never_quoted_gets_no_words_put_in_his_mouth(index: Index) -> None:
    # Lavrov is named in the article but never quoted directly.
    answer = ask(index, "what did Lavrov say about the draft treaty?")
    assert answer.kind in ("sentences", "none")
    assert answer.text.startswith("I found no quotation of Lavrov")
    assert not quoted_lines(answer)
    if answer.kind == "sentences":  # what the article reports, in its own words, naming him
        assert all("Lavrov" in citation.text for citation in answer.citations)


def test_a_topic_the_speaker_never_spoke_about_is_said_plainly(index: Index) -> None:
    answer = ask(index, "what did Blinken say about inflation?")
    assert answer.text.startswith("I found no quotation of Blinken that is about inflation")
    assert not quoted_lines(answer)


def test_without_a_topic_the_speakers_quotes_come_in_reading_order(index: Index) -> None:
    answer = ask(index, "what did Blinken say?")
    starts = [citation.start for citation in answer.citations]
    assert answer.kind == "quote" and len(starts) > 1 and starts == sorted(starts)


def test_filters_apply_to_quote_answers(index: Index) -> None:
    answer = ask(index, "what did Blinken say about Article 5?", filters=Filters(since="2023-01-01"))
    assert answer.kind == "none" and not answer.citations


# -- follow-ups -----------------------------------------------------------------------------------


def test_a_follow_up_keeps_the_speaker_and_shows_how_it_was_read(index: Index) -> None:
    first = ask(index, "what did Blinken say about Article 5?")
    answer = ask(index, "And what did he say about a renewed invasion?", history=[(first.question, first.text)])
    assert answer.text.splitlines()[0] == "(Read as: what did Blinken say about renewed invasion?)"
    assert quoted_lines(answer)[0][1].startswith("If any Russian military forces move across Ukraine’s border")


# -- a configured reranker -------------------------------------------------------------------------


def test_a_configured_cross_encoder_picks_among_the_statements_that_pass(index: Index, tiny_cross_encoder) -> None:
    """The reranker (a real, tiny, random CrossEncoder) reorders the statements above the decline threshold
    by its score of (question, statement in its framing); the first stage still decides the declines."""
    from sentence_transformers import CrossEncoder

    from qa.answer.quote import MIN_QUOTE_SCORE, RERANK_DEPTH, _once_each
    from qa.answer.quote_ranking import QuoteSearch, ranked_quotes
    from qa.answer.statements import statements
    from qa.embed import CrossEncoderReranker
    from qa.quotes.framing import framing_span

    model = CrossEncoder(str(tiny_cross_encoder), device="cpu", local_files_only=True)
    topics = ("Article 5", "Russia", "Ukraine", "diplomacy", "NATO", "a renewed invasion", "the talks")
    reordered = 0
    for topic in topics:
        question = f"what did Blinken say about {topic}?"
        first_stage = ask(index, question)
        ranked = _once_each(statements(ranked_quotes(index, QuoteSearch("Blinken", topic)).ranked))
        passing = [r for r in ranked[:RERANK_DEPTH] if r.score >= MIN_QUOTE_SCORE]
        index.reranker = CrossEncoderReranker(str(tiny_cross_encoder))
        try:
            reranked = ask(index, question)
        finally:
            index.reranker = None
        if not passing:
            assert reranked.text == first_stage.text  # a decline stays a decline
            continue
        framings = [r.article.text[slice(*framing_span(r.article.text, r.quote.start, r.quote.end))]
                    for r in passing]
        best = passing[int(model.predict([(question, framing) for framing in framings]).argmax())]
        assert quoted_lines(reranked)[0][1] == best.quote.text
        reordered += quoted_lines(first_stage)[0][1] != best.quote.text
    assert reordered  # the reranker changed some first quotation: the test sees it act
