"""Attribution rules for patterns of English news writing (extractor 5): a speaker named a paragraph
away, across a promotion, by a description or a pronoun with no subject nearby; "according to X, …";
"described by X as"; affiliations after a name. Every sentence here is made up for the test."""

from __future__ import annotations

from qa.quotes import find_quotes
from qa.types import Article


def speaker_of(text: str, prefix: str) -> str:
    quotes = find_quotes(Article(id="t", text=text))
    found = [q for q in quotes if q.text.startswith(prefix)]
    assert len(found) == 1, [q.text[:30] for q in quotes]
    return found[0].speaker


def test_a_quote_paragraph_after_a_paragraph_reporting_someones_words() -> None:
    text = ("Farm leaders met on Monday. Chidi Okafor said the new water plan would fail within a year.\n\n"
            "“Nobody has asked the farmers what they need, and nobody will.”")
    assert speaker_of(text, "Nobody has") == "Chidi Okafor"


def test_the_reported_sentence_must_name_a_person_outside_its_own_quotation() -> None:
    text = ("“The plan gives Minister Tomas Reyes far more control over the rivers,” the institute stated.\n\n"
            "“That may not end the shortages in the dry months, however.”")
    assert speaker_of(text, "That may not") == ""


def test_a_statement_goes_on_after_a_long_attribution_sentence() -> None:
    text = ("“We saw the river rise faster than in any year I remember,” Mira Holt, a hydrologist at the "
            "state university who has studied the valley for two decades, told the local paper.\n\n"
            "“The old levees were never built for water like this.”")
    assert speaker_of(text, "The old levees") == "Mira Holt"


def test_a_newsletter_promotion_does_not_break_a_statement() -> None:
    text = ("“The season starts late this year because of the snow,” coach Ivo Marek said.\n\n"
            "Sign up for our weekly sports newsletter here.\n\n"
            "“We will be ready when the first game comes around.”")
    assert speaker_of(text, "We will be ready") == "Ivo Marek"


def test_a_person_described_by_age_or_nationality_is_the_last_person_named() -> None:
    text = ("Rafael Oduya won the final in straight sets on Sunday. “I played the best tennis of my life,” "
            "the 24-year-old said. “It was a long week,” said the Kenyan after the match.")
    assert speaker_of(text, "I played") == "Rafael Oduya"
    assert speaker_of(text, "It was a long") == "Rafael Oduya"


def test_a_nationality_before_a_noun_is_no_person() -> None:
    text = ("Rafael Oduya won the final on Sunday. “Rates will stay where they are for now,” the Kenyan "
            "central bank said.")
    assert speaker_of(text, "Rates will") == ""


def test_a_pronoun_with_no_subject_nearby_goes_to_a_lone_name_acting_as_one() -> None:
    text = ("The band played its first show in a decade. In a radio interview, Halvorsen spoke about the tour.\n\n"
            "“We stopped because the fun had gone out of recording,” he said, according to a press release.")
    assert speaker_of(text, "We stopped") == "Halvorsen"


def test_a_capital_that_only_starts_a_sentence_is_no_name_for_a_pronoun() -> None:
    text = "Heavy rain flooded the roads overnight. “This is the worst storm I have seen,” he said."
    assert speaker_of(text, "This is the worst") == ""


def test_a_pronoun_goes_to_a_person_named_recently_who_was_a_subject_before() -> None:
    text = ("Coach Ray Tamber won his 300th game on Friday.\n\n"
            "It was a long road for the 61-year-old from a small town.\n\n"
            "Now, with Tamber leading the league, the team has its best record in years.\n\n"
            "The crowd cheered for Tamber all night long at the arena.\n\n"
            "“We played hard tonight and the crowd carried us,” he said after the match.")
    assert speaker_of(text, "We played hard") == "Ray Tamber"


def test_according_to_a_source_that_opens_the_clause() -> None:
    text = ("The trial went well, and according to the World Health Organization, the new drug “still protects "
            "against severe illness in older adults,” though less than hoped.")
    assert speaker_of(text, "still protects") == "World Health Organization"


def test_according_to_at_the_end_of_a_clause_is_no_source_of_the_next() -> None:
    text = ("That would change little in the end, according to Ana Ruiz, a professor of law and author of a "
            "book about the courts called “How the Small Claims Were Won by the Few.”")
    assert all(q.speaker != "Ana Ruiz" for q in find_quotes(Article(id="t", text=text)))


def test_described_by_someone_as() -> None:
    text = "The budget was described by Paul Ortega as “the worst he had seen in twenty years of service.”"
    assert speaker_of(text, "the worst") == "Paul Ortega"


def test_a_person_of_an_organisation_or_a_state() -> None:
    text = ("“We are trying to get the fireworks right this year,” Jane Fox of the Riverside Bonfire Society "
            "tells a radio station. “It only seemed fair to try.”\n\n"
            "Sen. Dale Whitcomb of Nebraska, the ranking member of the farm committee, said that the bill was "
            "late.\n\n“Nobody in this chamber has read the whole thing yet.”")
    assert speaker_of(text, "We are trying") == "Jane Fox"
    assert speaker_of(text, "It only seemed") == "Jane Fox"
    assert speaker_of(text, "Nobody in this") == "Dale Whitcomb"


def test_descriptions_joined_by_and_and_an_administrator() -> None:
    text = ("“The old mill was the heart of this town,” local historian and retired teacher Nora Pell said. "
            "“The parks will open on time this summer,” said Parks Administrator Dana Ruiz in a statement.")
    assert speaker_of(text, "The old mill") == "Nora Pell"
    assert speaker_of(text, "The parks will") == "Dana Ruiz"


def test_a_family_name_that_is_a_role_word() -> None:
    text = ("Historians think Martin Luther King Jr. was shaped by that summer. “We saw things we never "
            "expected to see up here,” King wrote his mother in 1944. The King of Spain visited in May.")
    assert speaker_of(text, "We saw things") == "Martin Luther King Jr."


def test_more_speech_verbs() -> None:
    text = ("The rally grew loud. “You have to do more than that,” Manuel Ortiz yelled. "
            "Lena Brandt shared on Instagram that “the pools open on Monday, whatever the weather.”")
    assert speaker_of(text, "You have to") == "Manuel Ortiz"
    assert speaker_of(text, "the pools open") == "Lena Brandt"


def test_said_before_its_subject_before_the_quote() -> None:
    text = 'Among economists and analysts, said Adam Kowal, "there is the hope that prices have peaked."'
    assert speaker_of(text, "there is the hope") == "Adam Kowal"
    text = 'Attorney General Lena Brandt said Tom Rolf "inflated his wealth by billions of dollars" for loans.'
    assert speaker_of(text, "inflated his") == "Lena Brandt"


def test_a_name_with_its_role_in_apposition_is_no_list_of_names() -> None:
    text = ("Frans Kuyper, EU farm policy chief, said on Tuesday that the plan would pass.\n\n"
            "“That is two thirds of what we need,” he told reporters.")
    assert speaker_of(text, "That is two") == "Frans Kuyper"


def test_titles_before_a_name_are_no_part_of_it() -> None:
    text = ("“I am taking part for others, not only for myself,” said D.C. Councilmember Mary Cheh. "
            "“You have to pretend they are gone,” said Californian Kerry Kaye. "
            "“Shoppers will spend more than ever,” said NRF president and CEO Matthew Shay in a statement. "
            "“Diners come back when they trust you,” said Technomic’s Robert Byrne.")
    assert speaker_of(text, "I am taking") == "Mary Cheh"
    assert speaker_of(text, "You have to pretend") == "Kerry Kaye"
    assert speaker_of(text, "Shoppers will") == "Matthew Shay"
    assert speaker_of(text, "Diners come") == "Robert Byrne"


def test_a_pronoun_goes_to_who_speaks_in_the_sentence_before() -> None:
    text = ("Senator Tom Rolf has repeatedly claimed that Governor Ann Pike kept the files.\n\n"
            "“How many of them were about the budget? Word is, lots,” he said in a statement.")
    assert speaker_of(text, "How many") == "Tom Rolf"


def test_a_quoted_term_in_the_lead_in_sentence() -> None:
    text = ('Dana Ruiz said that in her twenties she was only "clean" for short stretches, twice. '
            '"But I always went right back to it."')
    assert speaker_of(text, "But I always") == "Dana Ruiz"


def test_organisations_by_their_initials() -> None:
    text = ("“Masks are still a good idea in crowded rooms,” the CDC said on Friday. “Wash your hands "
            "often and stay home when sick,” said the WHO. “Rates will stay as they are,” the US said.")
    assert speaker_of(text, "Masks are") == "CDC"
    assert speaker_of(text, "Wash your") == "WHO"
    assert speaker_of(text, "Rates will") == ""
