"""A quotation stored under a surname alone ("Johnson said") counts as the full-named person a question asks
about, except in an article that names only others of that family name in full."""

from __future__ import annotations

import pytest

from qa.answer import ask
from qa.answer.timeline import speaker_timeline
from qa.answer.verify import verify
from qa.index import Index
from qa.types import Article

ARTICLES = [
    Article(id="parliament", title="Ukraine", source="Capital News", published="2022-03-01",
            text="Prime Minister Boris Johnson spoke in Parliament on Tuesday.\n\n"
                 "“We will stand with Ukraine for as long as it takes,” Johnson said."),
    Article(id="visit", title="Visit", source="Court Report", published="2022-03-02",
            text="Magic Johnson and his son Andre Johnson visited Kyiv.\n\n"
                 "“Ukraine deserves our support in this terrible war,” Johnson said."),
]


@pytest.fixture()
def index(articles_index: Index) -> Index:
    return articles_index


def test_the_quotation_of_another_johnson_is_not_boris_johnsons(index: Index) -> None:
    assert {q.speaker for q in index.store.quotes(article_ids=["visit"])} == {"Johnson"}
    answer = ask(index, "What did Boris Johnson say about Ukraine?", llm=None)
    verify(answer, index)
    assert [c.article_id for c in answer.citations] == ["parliament"]
    assert "deserves our support" not in answer.text


def test_a_timeline_leaves_out_another_johnsons_quotation(index: Index) -> None:
    timeline = speaker_timeline(index, "Boris Johnson")
    assert [q.article_id for q in timeline.quotes] == ["parliament"]
