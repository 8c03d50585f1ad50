"""The note a quote answer adds when the name, role or description asked about fits several people: whom it
took the phrase to mean, on what basis, and who else it fits."""

from __future__ import annotations

import pytest

from qa.answer import ask
from qa.answer.verify import verify
from qa.index import Index
from qa.types import Answer, Article

ARTICLES = [
    Article(id="budget", title="Budget", source="Coast News", published="2023-02-01",
            text="Mayor Dana Whitfield presented the budget on Monday.\n\n"
                 "“The harbour repairs come first this year, before anything else,” Whitfield said."),
    Article(id="match", title="Match", source="Coast News", published="2023-02-02",
            text="Coach Marcus Whitfield watched his side lose again.\n\n"
                 "“We defended badly and we know it, every one of us,” Whitfield said."),
    Article(id="old-mayor", title="Ferries", source="Coast News", published="2021-05-01",
            text="Mayor Tom Ashdown opened the ferry terminal.\n\n"
                 "“The ferry brings the harbour back to life after years of decline,” Ashdown said."),
    Article(id="bakery", title="Bread", source="Coast News", published="2023-03-01",
            text="Lena Morrow, owner of the Harbour Bakery on Quay Street, is raising prices.\n\n"
                 "“Flour costs twice what it did and the ovens cost more to run,” Morrow said.\n\n"
                 "Sam Pike, owner of the Corner Bakery, also on Quay Street, is not.\n\n"
                 "“Our landlord has frozen the rent until the summer,” Pike said."),
]


@pytest.fixture()
def index(articles_index: Index) -> Index:
    return articles_index


def note(answer: Answer) -> str:
    return next(line for line in answer.text.splitlines() if line.startswith("(Note:"))


def test_a_surname_several_people_share_names_the_others(index: Index) -> None:
    answer = ask(index, "What did Whitfield say about the harbour repairs?", llm=None)
    verify(answer, index)
    assert "whose quotations fit the question best" in note(answer) and "Whitfield" in note(answer)


def test_a_role_names_its_holder_seen_last(index: Index) -> None:
    answer = ask(index, "What did the mayor say about the harbour?", llm=None)
    verify(answer, index)
    assert answer.text.startswith("Dana Whitfield")
    assert note(answer) == ("(Note: I took “mayor” to mean Dana Whitfield, the holder of that role seen last; "
                            "it also fits Tom Ashdown.)")


def test_a_description_says_the_articles_describe_the_person_so(index: Index) -> None:
    answer = ask(index, "What did the Quay Street bakery owner say about the price of flour?", llm=None)
    verify(answer, index)
    assert answer.text.startswith("Lena Morrow")
    assert note(answer) == ("(Note: I took “Quay Street bakery owner” to mean Lena Morrow, whom the articles "
                            "describe so; it also fits Sam Pike.)")
