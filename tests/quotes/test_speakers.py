"""Matching a name or role as a user writes it against stored quotes, and naming speakers (qa.quotes.speakers)."""

from __future__ import annotations

import pytest

from qa.quotes.speakers import (
    family_name,
    last_name_word,
    looks_like_person_name,
    name_search_words,
    names_a_role,
    parse_say_question,
    role_label,
    speaker_matches,
)
from qa.types import Quote

# -- questions and speakers -------------------------------------------------------------------------------


def quote_by(speaker: str, role: str = "") -> Quote:
    return Quote("t", 0, 4, "text", speaker, role)


@pytest.mark.parametrize("query, speaker, role, expected", [
    ("Blinken", "Antony Blinken", "Secretary of State", True),
    ("antony blinken", "Antony Blinken", "Secretary of State", True),
    ("Mr. Blinken", "Antony Blinken", "Secretary of State", True),
    ("Secretary Blinken", "Antony Blinken", "Secretary of State", True),
    ("the secretary of state", "Antony Blinken", "Secretary of State", True),
    ("Secretary of State", "Antony Blinken", "Secretary of State", True),
    ("Lavrov", "Sergey Lavrov", "Russian Foreign Minister", True),
    ("the Russian foreign minister", "Sergey Lavrov", "Russian Foreign Minister", True),
    ("the Russian foreign minister", "Sergey Lavrov", "Russia's foreign minister", True),
    ("foreign minister", "Sergey Lavrov", "Russian Foreign Minister", True),
    ("the Ukrainian foreign minister", "Sergey Lavrov", "Russian Foreign Minister", False),
    ("the senator", "Mitt Romney", "Sen.", True),
    ("Walter", "Emmanuel Walter Jr.", "", True),
    ("Dong", "Dong Hong", "", True),
    ("the White House", "White House", "", True),
    ("White", "White House", "", False),
    ("Jill Biden", "Joe Biden", "President", False),
    ("Biden", "Antony Blinken", "Secretary of State", False),
    ("state", "Antony Blinken", "Secretary of State", False),
    ("Blinken", "", "", False),
])
def test_speaker_matches(query: str, speaker: str, role: str, expected: bool) -> None:
    assert speaker_matches(query, quote_by(speaker, role)) is expected


def test_a_role_matches_every_speaker_with_it_and_a_nationality_narrows_it() -> None:
    quotes = [quote_by("Joe Biden", "President"), quote_by("Vladimir Putin", "Russian President"),
              quote_by("Vladimir Putin", "Russian President"), quote_by("Antony Blinken", "Secretary of State")]

    def speakers(query: str) -> list[str]:
        return [q.speaker for q in quotes if speaker_matches(query, q)]

    assert speakers("the president") == ["Joe Biden", "Vladimir Putin", "Vladimir Putin"]
    assert speakers("the Russian president") == ["Vladimir Putin", "Vladimir Putin"]
    assert speakers("Lavrov") == []


@pytest.mark.parametrize("question, expected", [
    ("what did Blinken say about Article 5?", ("Blinken", "Article 5")),
    ("What did the secretary of state say about sanctions", ("secretary of state", "sanctions")),
    ("how did Lavrov describe the talks?", ("Lavrov", "talks")),
    ("what has Biden said on inflation", ("Biden", "inflation")),
    ("what did Blinken tell reporters about NATO?", ("Blinken", "NATO")),
    ("what did Blinken say?", ("Blinken", "")),
    ("What did Jean-Yves Le Drian have to say about Europe?", ("Jean-Yves Le Drian", "Europe")),
    ("Blinken's comments on Ukraine", ("Blinken", "Ukraine")),
    ("Blinken quotes about Ukraine", ("Blinken", "Ukraine")),
    # advice, urging and admissions are things said too
    ("What did the FDA commissioner advise about boosters?", ("FDA commissioner", "boosters")),
    ("What did Pelosi urge on gun laws?", ("Pelosi", "gun laws")),
    # a description as long as a question gives it, when "what did … say" marks it as the speaker
    ("What did the head of global health at Congo's Institute of National Biomedical Research say about vaccines?",
     ("head of global health at Congo's Institute of National Biomedical Research", "vaccines")),
    ("Institute of National Biomedical Research head of global health's comments on vaccines", None),
    # a text is asked what it says, not quoted: the answer comes from the articles' sentences
    ("What did the IPCC report say about sea levels?", None),
    ("What did the new study published in the journal Nature say about coral reefs?", None),
    ("What did the Supreme Court ruling say about coercion?", None),
    ("What did the author of the report say about sea levels?", ("author of the report", "sea levels")),
    ("Which country will require a common phone charger?", None),
    ("What is the capital of France?", None),
])
def test_parse_say_question(question: str, expected: tuple[str, str] | None) -> None:
    assert parse_say_question(question) == expected


@pytest.mark.parametrize("phrase, role, person", [
    ("the secretary of state", True, False),
    ("the Russian foreign minister", True, False),
    ("the senator", True, False),
    ("Lavrov", False, True),
    ("Sergey Lavrov", False, True),
    ("Mr. Blinken", False, True),
    ("Ukraine", False, False),
    ("Europe", False, False),
    ("NATO", False, False),
    ("the White House", False, False),
    ("sanctions", False, False),
    ("Art Rooney II", False, True),
    ("Ken Griffey Jr", False, True),
])
def test_names_a_role_and_looks_like_person_name(phrase: str, role: bool, person: bool) -> None:
    assert (names_a_role(phrase), looks_like_person_name(phrase)) == (role, person)


# -- naming speakers in an answer --------------------------------------------------------------------------


@pytest.mark.parametrize("speaker, family, last_word", [
    ("Antony Blinken", "Blinken", "Blinken"),
    ("Jean-Yves Le Drian", "Drian", "Drian"),
    ("Emmanuel Walter Jr.", "Walter", "Walter"),  # a name with a suffix is a person's name
    ("White House", "White House", "House"),
    ("Kremlin", "Kremlin", "Kremlin"),
    ("", "", ""),
])
def test_family_name_and_last_name_word(speaker: str, family: str, last_word: str) -> None:
    assert family_name(speaker) == family
    assert last_name_word(speaker) == last_word
    assert last_word in family  # a line naming the speaker either way names the last word


@pytest.mark.parametrize("role, label", [
    ("Sen.", "Senator"), ("rep.", "Representative"), ("Gov.", "Governor"), ("Capt.", "Captain"),
    ("Secretary of State", "Secretary of State"), ("", ""),
])
def test_role_label_writes_out_stored_abbreviations(role: str, label: str) -> None:
    assert role_label(role) == label


@pytest.mark.parametrize("speaker, words", [
    ("Blinken", ["Blinken"]),
    ("Mr. Blinken's", ["Blinken"]),
    ("the secretary of state", ["secretary", "state"]),
    ("the Senator", ["Senator", "sen."]),
    ("General Mark Milley", ["General", "Mark", "Milley", "gen."]),
    ("Jean-Yves Le Drian", ["Jean-Yves", "Le", "Drian"]),
    ("the", []),
    ("", []),
])
def test_name_search_words(speaker: str, words: list[str]) -> None:
    assert name_search_words(speaker) == words


def test_names_with_particles_initials_apostrophes_or_a_place_as_family_name_are_names() -> None:
    for name in ("Ursula von der Leyen", "Bill de Blasio", "Ayman al-Zawahiri", "J.B. Pritzker",
                 "Jen O'Malley Dillon", "Erika Washington", "David French"):
        assert looks_like_person_name(name), name
    for phrase in ("Washington", "de Blasio", "Native American", "Transport Canada", "Washington Post"):
        assert not looks_like_person_name(phrase), phrase
