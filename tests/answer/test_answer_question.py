"""Questions read once (qa/answer/question.py): follow-ups rewritten into standalone questions without a
language model, and the speaker and topic of "what did X say about Y" carried through."""

from __future__ import annotations

import pytest

from qa.answer.question import Question, Said, looks_like_speaker

BLINKEN_ARTICLE_5 = ("what did Blinken say about Article 5?", "Antony Blinken (Secretary of State) said: “…” [1]")


def standalone_question(question: str, history, **options) -> str:
    return Question.read(question, history, **options).standalone


def test_a_question_without_history_is_unchanged() -> None:
    assert standalone_question("what did Blinken say about Article 5?", []) == "what did Blinken say about Article 5?"


def test_a_pronoun_keeps_the_speaker_and_takes_the_new_topic() -> None:
    rewritten = standalone_question("And what did he say about sanctions?", [BLINKEN_ARTICLE_5])
    assert rewritten == "what did Blinken say about sanctions?"


def test_what_about_a_person_keeps_the_topic() -> None:
    assert standalone_question("what about Lavrov?", [BLINKEN_ARTICLE_5]) == "what did Lavrov say about Article 5?"


def test_what_about_a_role_keeps_the_topic() -> None:
    rewritten = standalone_question("What about the Russian foreign minister?", [BLINKEN_ARTICLE_5])
    assert rewritten == "what did the Russian foreign minister say about Article 5?"


@pytest.mark.parametrize("subject", ["sanctions", "NATO", "Ukraine", "the draft treaty"])
def test_what_about_a_thing_keeps_the_speaker(subject: str) -> None:
    assert standalone_question(f"what about {subject}?", [BLINKEN_ARTICLE_5]) == f"what did Blinken say about {subject}?"


def test_chains_resolve_each_turn_against_the_one_before() -> None:
    history = [
        BLINKEN_ARTICLE_5,
        ("And what did he say about sanctions?", "…"),
        ("what about Lavrov?", "…"),
    ]
    # parse_say_question drops articles from topics: "the talks" → "talks"
    assert standalone_question("and what did he say about the talks?", history) == "what did Lavrov say about talks?"
    assert standalone_question("what about Biden?", history) == "what did Biden say about sanctions?"


def test_it_refers_to_the_previous_topic_of_a_say_question() -> None:
    assert standalone_question("What did Biden say about it?", [BLINKEN_ARTICLE_5]) == "what did Biden say about Article 5?"


def test_a_new_full_question_is_left_alone() -> None:
    question = "Which country will require a common phone charger?"
    assert standalone_question(question, [BLINKEN_ARTICLE_5]) == question


def test_he_in_an_ordinary_question_becomes_the_last_person_named() -> None:
    history = [("Why did Boris Johnson resign as prime minister?", "…")]
    assert standalone_question("When did he resign?", history) == "When did Boris Johnson resign?"
    assert standalone_question("What was his majority?", history) == "What was Boris Johnson’s majority?"


def test_an_elliptical_ordinary_question_carries_the_previous_one() -> None:
    history = [("Which country will require a common phone charger?", "Europe [1]")]
    rewritten = standalone_question("what about laptops?", history)
    assert "laptops" in rewritten and "common phone charger" in rewritten
    rewritten = standalone_question("When will it take effect?", history)
    assert rewritten.startswith("When will it take effect?") and "common phone charger" in rewritten


def test_an_index_aware_speaker_test_can_overrule_the_name_heuristic() -> None:
    quoted = {"White House"}
    rewritten = standalone_question(
        "what about the White House?", [BLINKEN_ARTICLE_5], is_speaker=lambda name: name.removeprefix("the ") in quoted
    )
    assert rewritten == "what did the White House say about Article 5?"


@pytest.mark.parametrize("phrase, expected", [
    ("Lavrov", True), ("Sergey Lavrov", True), ("Mr. Blinken", True), ("the secretary of state", True),
    ("sanctions", False), ("NATO", False), ("Ukraine", False), ("Europe", False), ("Article 5", False),
])
def test_looks_like_speaker(phrase: str, expected: bool) -> None:
    assert looks_like_speaker(phrase) is expected


# -- the speaker and topic, read once --------------------------------------------------------------


@pytest.mark.parametrize("asked, history, said", [
    ("what did Blinken say about Article 5?", [], Said("Blinken", "Article 5")),
    ("What did the secretary of state say?", [], Said("secretary of state", "")),
    ("Where did Blinken meet Lavrov?", [], None),
    ("And what did he say about the sanctions?", [BLINKEN_ARTICLE_5], Said("Blinken", "sanctions")),
    ("What did Biden say about it?", [BLINKEN_ARTICLE_5], Said("Biden", "Article 5")),
    ("what about the Russian foreign minister?", [BLINKEN_ARTICLE_5], Said("Russian foreign minister", "Article 5")),
    ("what about the draft treaty?", [BLINKEN_ARTICLE_5], Said("Blinken", "draft treaty")),
    ("what did he say?", [("Why did Boris Johnson resign as prime minister?", "…")], Said("Boris Johnson", "")),
    ("When did he resign?", [("Why did Boris Johnson resign as prime minister?", "…")], None),
])
def test_a_say_question_is_read_into_its_speaker_and_topic(asked: str, history, said: Said | None) -> None:
    assert Question.read(asked, history).said == said


def test_the_question_as_asked_is_kept_and_a_rewriting_shows() -> None:
    asked = "  what did   Blinken say about Article 5? "
    assert Question.read(asked).asked == asked and not Question.read(asked).rewritten
    assert Question.read("what about NATO?", [BLINKEN_ARTICLE_5]).rewritten
