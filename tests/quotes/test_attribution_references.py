"""Attribution rules for a speaker referred back to: a title alone ("the Pope told") for the one person the
article titled so by a single name, a stage of life or school ("the senior said") as a description, the
pronoun that follows either, and never a person the quotation itself names. Every sentence here is made up
for the test."""

from __future__ import annotations

from qa.quotes import find_quotes
from qa.types import Article


def speakers(text: str) -> dict[str, str]:
    return {q.text[:12]: q.speaker for q in find_quotes(Article(id="t", text=text))}


def test_a_title_alone_is_the_one_person_titled_so_by_a_single_name() -> None:
    text = ("Nora Pell is a columnist at the Ledger.\n\n"
            "King Harald's remarks on the harbour tax surprised the fishermen of the north.\n\n"
            "“We cannot ask the coast to pay for the whole country,” the King told reporters on Monday.\n\n"
            "“The tax will be reviewed within the year,” he added.")
    found = speakers(text)
    assert found["We cannot as"] == "Harald"
    assert found["The tax will"] == "Harald"


def test_a_title_alone_stays_nobodys_when_two_people_hold_it() -> None:
    text = ("King Harald and King Carl met in Oslo on Monday to discuss the harbour tax.\n\n"
            "“We cannot ask the coast to pay for the whole country,” the King told reporters.")
    assert speakers(text)["We cannot as"] == ""


def test_a_stage_of_school_is_the_last_person_named_as_a_subject() -> None:
    text = ("Maya Brennan, 17, plays point guard for the Wildcats. Brennan wants to coach one day.\n\n"
            "“I have learned more from losing than from winning,” the senior said.")
    assert speakers(text)["I have learn"] == "Maya Brennan"


def test_a_description_is_nobodys_when_the_last_subject_is_a_name_read_as_no_person() -> None:
    text = ("“We are proud of the team,” coach Ivo Marek said.\n\n"
            "Dana Day, 18, plays in goal. Dana would like to turn professional.\n\n"
            "“I have learned more from losing than from winning,” the senior said.")
    assert speakers(text)["I have learn"] == ""


def test_a_pronoun_is_never_the_person_its_quotation_names() -> None:
    text = ("Amir Haddad reached the camp in the spring. Omar Rahimi spoke first at the rally that night.\n\n"
            "“We are working with brother Rahimi,” he said in announcing the merger.")
    assert speakers(text)["We are worki"] == "Amir Haddad"


def test_a_title_in_quotation_marks_before_a_pronoun_excludes_no_one() -> None:
    text = ("Matt Walsh, a pundit, spoke about the casting on “The Matt Walsh Show.” He claims he framed it as a "
            "joke, since he goes on to say that “the mermaid should be pale, actually translucent.”")
    assert speakers(text)["the mermaid "] == "Matt Walsh"
