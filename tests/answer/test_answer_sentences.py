"""Sentence answers (qa/answer/sentences.py): verbatim sentences of the passages, or a plain abstention.
conftest verifies every answer."""

from __future__ import annotations

import pytest

from qa.answer import ask
from qa.index import Index

pytestmark = pytest.mark.minilm


def test_a_factual_question_is_answered_with_verbatim_sentences(index: Index) -> None:
    answer = ask(index, "Where did Blinken meet Lavrov?")
    assert answer.kind == "sentences"
    assert "Geneva" in answer.text
    assert 1 <= len(answer.citations) <= 3
    for citation in answer.citations:  # each sentence lies in a passage the chat can show
        assert any(h.start <= citation.start and citation.end <= h.end for h in answer.hits)


def test_a_question_the_articles_cannot_answer_is_declined_with_the_closest_passages(index: Index) -> None:
    answer = ask(index, "Which country will require a common phone charger?")
    assert answer.kind == "none"
    assert answer.citations == () and "[1]" not in answer.text
    assert answer.text.startswith("I found nothing")
    assert answer.hits  # the closest passages, to judge for oneself
