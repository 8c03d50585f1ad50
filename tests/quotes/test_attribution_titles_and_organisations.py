"""Attribution rules for patterns of English news writing (extractor 6): what stands before a name and is
no part of it (ages, ranks, descriptions), short forms of a name given earlier, and organisations that
speak through an unnamed spokesperson, a blog or an office. Every sentence here is made up for the test."""

from __future__ import annotations

from qa.quotes import find_quotes
from qa.types import Article


def speaker_of(text: str, prefix: str) -> str:
    quotes = find_quotes(Article(id="t", text=text))
    found = [q for q in quotes if q.text.startswith(prefix)]
    assert len(found) == 1, [q.text[:30] for q in quotes]
    return found[0].speaker


def test_a_lower_case_fragment_is_no_title() -> None:
    text = "Mayor Ann Kessel said on Monday that “the end of March” is her deadline for the new budget."
    assert speaker_of(text, "the end of March") == "Ann Kessel"


def test_an_age_and_a_nationality_before_a_name_are_no_part_of_it() -> None:
    text = ("Twenty-year-old Brazilian Marta Quell beat the top seed on Sunday.\n\n"
            "Quell says, “I knew I could beat anyone who stands across the net from me.”")
    assert speaker_of(text, "I knew") == "Marta Quell"


def test_a_party_before_a_name_is_no_part_of_it() -> None:
    text = "Republican Dale Hurst won the seat. “We will cut taxes in the first month,” Hurst said."
    assert speaker_of(text, "We will cut") == "Dale Hurst"


def test_a_rank_before_a_name_is_no_part_of_it() -> None:
    text = ("“Drivers all leave at the same time on Sunday,” Ohio Highway Patrol Trooper Dale Brenn said. "
            "“Leave later,” said WHO Director-General Amina Tessu.")
    assert speaker_of(text, "Drivers all") == "Dale Brenn"
    assert speaker_of(text, "Leave later") == "Amina Tessu"


def test_words_describing_a_person_before_their_name() -> None:
    text = ("“Nobody wants to wait in line for hours,” said Tampa engineer Jon Vokes. "
            "“We are busier than ever,” said Harbor Lights founder, president and artistic director Mae Orr. "
            "“Tickets sold out in a day,” Broadway Weekly senior editor of theater Lin Pace told the paper.")
    assert speaker_of(text, "Nobody wants") == "Jon Vokes"
    assert speaker_of(text, "We are busier") == "Mae Orr"
    assert speaker_of(text, "Tickets sold") == "Lin Pace"


def test_a_name_followed_by_a_number_is_no_person() -> None:
    text = ("The song spent ten weeks on the Billboard Hot 100 chart.\n\n"
            "“It has a hook that sticks,” Billboard critic Ana Ruel said. “A real summer song,” she added.")
    assert speaker_of(text, "A real summer") == "Ana Ruel"


def test_a_fragment_then_the_speaker_after_the_verb() -> None:
    text = "“I quite like a good prank, so I have no problem” with the joke, said Leeds student Pat Crane."
    assert speaker_of(text, "I quite like") == "Pat Crane"


def test_an_unnamed_spokesperson_speaks_for_the_company_named_with_them() -> None:
    text = ("“Our stores will reopen on Monday,” a Hollis spokesperson said. "
            "“No customer data was lost,” a spokesperson for Trevanta said. "
            "“The recall is voluntary,” an RTX spokesperson told the paper. "
            "“We are ready to help,” a spokesperson for Governor Ana Ruiz said.")
    assert speaker_of(text, "Our stores") == "Hollis"
    assert speaker_of(text, "No customer") == "Trevanta"
    assert speaker_of(text, "The recall") == "RTX"
    assert speaker_of(text, "We are ready") == ""


def test_a_blog_post_states() -> None:
    text = ("“Open restaurants tell us how fast a town recovers,” a FEMA blog post states. "
            "“The sooner they reopen, the sooner the local economy comes back.”")
    assert speaker_of(text, "Open restaurants") == "FEMA"
    assert speaker_of(text, "The sooner") == "FEMA"


def test_the_company_is_the_organisation_named_before() -> None:
    text = ("On Monday, Streamwell raised its prices again. It has 200 million subscribers.\n\n"
            "“We change prices from time to time as we invest in new shows,” the company said in a statement.")
    assert speaker_of(text, "We change") == "Streamwell"


def test_a_fragment_in_a_spokespersons_words() -> None:
    text = ("In a statement, a spokesperson for Trevanta said in general its process does not use the solvent "
            "but it cannot fully “exclude the possibility that traces were present in other suppliers’ "
            "materials.”")
    assert speaker_of(text, "exclude the") == "Trevanta"


def test_a_persons_office_is_no_person() -> None:
    text = ("Governor Lia Moss closed the schools on Monday. In response, Moss’s office said Hale “should stop "
            "playing politics and help people understand the virus.”")
    assert speaker_of(text, "should stop") == "Lia Moss's office"


def test_a_persons_statement_is_their_words() -> None:
    text = ("Governor Lia Moss welcomed the deal. “It is a win for the workers who kept the trains running,” "
            "Moss’s statement said.")
    assert speaker_of(text, "It is a win") == "Lia Moss"


def test_a_name_before_a_parenthetical_she_said_is_not_who_she_is() -> None:
    text = ("Press secretary Dana Kolb has tested positive for the flu. Governor Tim Arlo, she said in a "
            "statement, is not a close contact.\n\n"
            "“I last saw the governor on Monday, and we both wore masks the whole time,” she said in a tweet.")
    assert speaker_of(text, "I last saw") == "Dana Kolb"


def test_a_family_name_is_the_one_person_so_named_before_it() -> None:
    text = ("Dara Okoye won her semifinal on Friday.\n\n"
            "“I always find a way on this court,” Okoye said after the match.\n\n"
            "Her father, Femi Okoye, taught her the game on public courts.")
    assert speaker_of(text, "I always find") == "Dara Okoye"


def test_the_subject_of_a_relative_clause_that_speaks() -> None:
    text = ("The order sets up a task force with the Justice Department and the Gender Policy Council, which "
            "includes Attorney General Ray Oduya, who the White House says will provide “technical help to "
            "states that protect patients from out of state.”")
    assert speaker_of(text, "technical help") == "White House"


def test_has_alleged_reports_words() -> None:
    text = "In recent weeks, Senator Ola Brandt has alleged that Governor Tim Hale “hid the real budget numbers.”"
    assert speaker_of(text, "hid the real") == "Ola Brandt"


def test_the_subject_of_a_verb_that_characterises_someone() -> None:
    text = ("In an interview, former President Petr Olenko accused Ivan Rusk of being “simply unfit "
            "to lead anyone” and vowed to fight. The lawyer worked with Ada Kern, who called him “the best "
            "counsel the movement ever had.”\n\nThe doll was dubbed “the national dream child of the year” by "
            "Ada Kern’s magazine.")
    assert speaker_of(text, "simply unfit") == "Petr Olenko"
    assert speaker_of(text, "the best counsel") == "Ada Kern"
    assert speaker_of(text, "the national dream") == ""


def test_the_spokesperson_speaks_for_the_organisation_named_before() -> None:
    text = ("Bed Bath & Beyond told reporters that store temperatures were not set by headquarters. “No store "
            "was told to turn off its air conditioning,” said a representative.\n\n"
            "A Trevanta spokesperson said the firm would cooperate. “We welcome the review,” the spokesperson "
            "said.")
    assert speaker_of(text, "No store") == "Bed Bath & Beyond"
    assert speaker_of(text, "We welcome") == "Trevanta"


def test_asserted_and_advises_report_words() -> None:
    text = ("“The count must stop at midnight,” Mayor Ida Brook asserted Friday in a post. "
            "“Check the airline’s page before you book,” advises Tom Vale, a former travel agent.")
    assert speaker_of(text, "The count") == "Ida Brook"
    assert speaker_of(text, "Check the") == "Tom Vale"


def test_a_lead_in_sentence_with_the_speaker_after_the_verb() -> None:
    text = ("There is something about this young team, said Nell Ford on the radio. “They never know when "
            "they are beaten.”")
    assert speaker_of(text, "They never") == "Nell Ford"
