"""A split statement answered whole (qa.answer.statements): the parts of one quotation the reporter split
with the attribution are one citation; quotations set apart by narration, by someone else's words or by a
paragraph break stay apart."""

from __future__ import annotations

import pytest

from qa.answer import ask, speaker_timeline
from qa.answer.quote_ranking import QuoteSearch, ranked_quotes
from qa.answer.statements import statements
from qa.answer.verify import VerificationError, verify
from qa.index import Index
from qa.types import Answer, Article, Citation

SPLIT = ("“The harbour wall will not survive another winter storm,” said Mayor Ruth Calloway, speaking at the "
         "council meeting on Tuesday. “We have asked the state for the money twice and been refused twice.”")
APART = ("“The ferry timetable goes back to summer hours in May,” Calloway said.\n\n"
         "“Fares stay where they are for residents,” she added.\n\n"
         "“Parking by the quay will be free on weekends,” Calloway said. Harbour master Tom Reyes disagreed: "
         "“The quay has no room for more cars,” he said. “Visitors should come by bus,” Calloway said.\n\n"
         "“The lighthouse reopens in June,” Calloway said, before the council turned to the budget, the school "
         "roof, the library's opening hours, a petition about street lights on the hill road, the new bins and "
         "the long argument over who should pay for the repairs to the old fish market and its slipway this "
         "year. “Nobody objected to that,” Calloway said.")
ARTICLES = [
    Article(id="wall", title="Harbour wall", source="Coast News", published="2023-02-01", text=SPLIT),
    Article(id="ferry", title="Ferry", source="Coast News", published="2023-03-01", text=APART),
]


@pytest.fixture()
def index(articles_index: Index) -> Index:
    return articles_index


def test_a_statement_split_by_its_attribution_is_one_citation(index: Index) -> None:
    answer = ask(index, "What did Ruth Calloway say about the harbour wall money?", llm=None)
    verify(answer, index)
    first = answer.citations[0]
    assert (first.article_id, first.start, first.end) == ("wall", 1, len(SPLIT) - 1)
    assert first.text.startswith("The harbour wall will not") and first.text.endswith("refused twice.")
    assert f"“{first.text}” [1]" in answer.text


def test_the_joined_statement_keeps_its_best_part_s_place_and_score(index: Index) -> None:
    ranking = ranked_quotes(index, QuoteSearch("Ruth Calloway", "state money refused"))
    parts = [r for r in ranking.ranked if r.quote.article_id == "wall"]
    assert len(parts) == 2
    joined = [r for r in statements(ranking.ranked) if r.quote.article_id == "wall"]
    assert len(joined) == 1
    assert joined[0].score == max(part.score for part in parts)
    assert joined[0].quote.start == min(p.quote.start for p in parts) and joined[0].quote.end == max(p.quote.end for p in parts)


def test_quotations_apart_stay_apart(index: Index) -> None:
    ranking = ranked_quotes(index, QuoteSearch("Ruth Calloway", "ferry fares parking buses"))
    ferry = sorted((r.quote.start, r.quote.text) for r in statements(ranking.ranked) if r.quote.article_id == "ferry")
    # a paragraph break, another speaker's quotation, and the reporter's own narration between hers
    assert [text for _, text in ferry] == [
        "The ferry timetable goes back to summer hours in May", "Fares stay where they are for residents",
        "Parking by the quay will be free on weekends", "Visitors should come by bus",
        "The lighthouse reopens in June", "Nobody objected to that"]


def test_verify_accepts_one_speaker_s_statement_and_refuses_a_span_over_two_speakers(index: Index) -> None:
    text = index.article("ferry").text

    def quote_answer(first_words: str, last_words: str) -> Answer:
        start = text.index(first_words)
        end = text.index(last_words) + len(last_words)
        citation = Citation(1, "ferry", start, end, text[start:end], "Ferry", "", "2023-03-01", "Coast News")
        return Answer("q", f"Ruth Calloway said: “{citation.text}” [1]", (citation,), (), "quote")

    verify(quote_answer("Parking by the quay", "free on weekends"), index)
    with pytest.raises(VerificationError, match="spans quotations of"):
        verify(quote_answer("The quay has no room", "come by bus"), index)
    with pytest.raises(VerificationError, match="not within a quotation"):
        verify(quote_answer("free on weekends", "Harbour master Tom Reyes"), index)


def test_a_timeline_lists_the_statement_whole(index: Index) -> None:
    timeline = speaker_timeline(index, "Ruth Calloway")
    wall = [item for item in timeline.quotes if item.article_id == "wall"]
    assert [(item.start, item.end) for item in wall] == [(1, len(SPLIT) - 1)]
    assert index.article("wall").text[wall[0].start:wall[0].end] == wall[0].text
    assert len([item for item in timeline.quotes if item.article_id == "ferry"]) == 6
