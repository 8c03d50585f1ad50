"""Resolving the speaker a question names against the people table (qa.quotes.resolution)."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from qa.quotes.descriptions import (
    Described,
    _whole_word_places,
    describes_someone,
    later_holder,
    mentions,
    resolve_by_description,
)
from qa.quotes.resolution import person_key, resolve_speaker
from qa.quotes.speakers import name_search_words
from qa.types import Person

def described_in(article: str, *names: str) -> list[Described]:
    """Each named speaker with the sentences of ``article`` that name them, as Index.resolve_speaker gives."""
    return [Described(name, "\n".join(mentions(article, name)), article) for name in names]


PEOPLE = [
    Person("Robert Redfield", "Former CDC Director", 5, 3, "2022-01-01", "2022-06-01"),
    Person("Rochelle Walensky", "CDC Director", 20, 15, "2022-01-03", "2022-06-20"),
    Person("Rochelle Walensky", "", 10, 5, "2022-01-01", "2022-06-20"),
    Person("Mitch McConnell", "Senate Minority Leader", 9, 9, "2022-01-01", "2022-06-20"),
    Person("Carol Alvarado", "Texas state Senate Minority Leader", 3, 3, "2022-06-25", "2022-06-28"),
    Person("Joe Biden", "President", 100, 80, "2022-01-01", "2022-06-20"),
    Person("Jill Biden", "first lady", 10, 4, "2022-01-01", "2022-06-20"),
    Person("Hunter Biden", "", 30, 0, "2022-01-01", "2022-06-20"),
    Person("Joseph R. Biden Jr.", "President", 12, 6, "2022-02-01", "2022-03-01"),
]


def test_a_role_is_its_current_holder_and_former_means_former() -> None:
    assert resolve_speaker("the CDC director", PEOPLE).name == "Rochelle Walensky"
    assert resolve_speaker("the former CDC director", PEOPLE).name == "Robert Redfield"


def test_a_national_office_named_without_a_place_is_the_national_one() -> None:
    resolved = resolve_speaker("the Senate minority leader", PEOPLE)
    assert resolved.name == "Mitch McConnell" and resolved.others == ()


def test_the_holder_as_of_a_date_is_the_one_seen_in_the_role_last() -> None:
    early = Person("Jen Psaki", "White House press secretary", 30, 30, "2022-01-01", "2022-05-13")
    late = Person("Karine Jean-Pierre", "White House press secretary", 8, 8, "2022-05-14", "2022-06-30")
    assert resolve_speaker("the White House press secretary", [early, late]).name == "Karine Jean-Pierre"
    # as of May 1 the people table holds only what was published by then (Index.resolve_speaker filters it)
    assert resolve_speaker("the White House press secretary", [early]).name == "Jen Psaki"


def test_a_shared_surname_is_the_most_quoted_and_the_others_are_named() -> None:
    resolved = resolve_speaker("Biden", PEOPLE)
    assert resolved.name == "Joe Biden" and "Jill Biden" in resolved.others
    assert "Hunter Biden" not in resolved.others  # never quoted
    assert resolve_speaker("Jill Biden", PEOPLE).names == ("Jill Biden",)


def test_name_forms_of_one_person_are_one() -> None:
    assert person_key("Joseph R. Biden Jr.") == person_key("Joseph Biden") == "joseph biden"
    resolved = resolve_speaker("Joseph Biden", PEOPLE)
    assert resolved.names == ("Joseph R. Biden Jr.",)


def test_no_one_fits() -> None:
    assert resolve_speaker("Lavrov", PEOPLE) is None
    assert resolve_speaker("the secretary of state", PEOPLE) is None


def test_a_role_goes_to_whom_the_weeks_before_the_date_gave_it() -> None:
    former = Person("Donald Trump", "President", 40, 10, "2022-01-01", "2022-06-20", recent_articles=2)
    sitting = Person("Joe Biden", "President", 30, 20, "2022-01-01", "2022-06-18", recent_articles=12)
    assert resolve_speaker("the president", [former, sitting]).name == "Joe Biden"


def test_a_vice_president_or_a_deputy_is_not_the_office_itself() -> None:
    recent = dict(first_seen="2022-01-01", last_seen="2022-06-20")
    vice = Person("Kamala Harris", "Vice President", 50, 10, recent_articles=30, **recent)
    president = Person("Joe Biden", "President", 20, 10, recent_articles=5, **recent)
    deputy = Person("Wendy Sherman", "Deputy Secretary of State", 9, 3, recent_articles=9, **recent)
    secretary = Person("Antony Blinken", "Secretary of State", 3, 3, recent_articles=2, **recent)
    acting = Person("Jane Roe", "acting CDC director", 2, 1, recent_articles=2, **recent)
    assert resolve_speaker("the president", [vice, president]).name == "Joe Biden"
    assert resolve_speaker("the vice president", [vice, president]).name == "Kamala Harris"
    assert resolve_speaker("the secretary of state", [deputy, secretary]).name == "Antony Blinken"
    assert resolve_speaker("the deputy secretary of state", [deputy, secretary]).name == "Wendy Sherman"
    assert resolve_speaker("the CDC director", [acting]).name == "Jane Roe"  # the acting one holds the office


def test_a_description_no_role_fits_is_read_off_the_words_around_quotes() -> None:
    article = ("“The Jazz will trade him,” Mark Knold wrote in the Deseret News.\n"
               "“We were not good enough tonight,” said Jon Cooper, the Tampa Bay Lightning coach.\n"
               "“Next game,” Cooper said.")
    described = [Described("Mark Knold", article.splitlines()[0], article),
                 Described("Jon Cooper", "\n".join(article.splitlines()[1:]), article)]
    resolved = resolve_by_description("the Tampa Bay Lightning coach", described)
    assert resolved.name == "Jon Cooper" and resolved.names == ("Jon Cooper",)
    assert resolve_by_description("the Boston Bruins coach", described) is None
    assert describes_someone("Steelers' owner") and not describes_someone("Ayman al-Zawahiri")


def test_a_description_is_read_where_the_article_says_who_someone_is() -> None:
    article = ("Carolina has a new owner. Ron Rivera, the Panthers' coach, met him on Monday.\n"
               "“He has a feel for football,” Rivera said.\n"
               "“We are thrilled,” said David Tepper, the new Panthers owner.\n"
               "“The Constitution should protect students,” NEA president Becky Pringle said.")
    described = described_in(article, "Ron Rivera", "David Tepper", "Becky Pringle")
    assert mentions(article, "Ron Rivera")[0] == "Ron Rivera, the Panthers' coach, met him on Monday."
    # "Carolina" is said elsewhere in the article: it counts half, and the coach is still the best fit
    assert resolve_by_description("the Carolina Panthers' coach", described).name == "Ron Rivera"
    # an acronym stands for the words of the name it abbreviates
    assert resolve_by_description("the president of the National Education Association", described).name \
        == "Becky Pringle"


def test_a_description_s_words_match_in_any_form() -> None:
    article = ("Greg Skomal, a state marine biologist who has been studying the region’s great whites for decades, "
               "spoke on Tuesday.\n“Sharks will come close to the shore when they have water depth,” Skomal said.")
    described = [Described("Greg Skomal", "\n".join(mentions(article, "Greg Skomal")), article)]
    # "studies" is the article's "studying"; "Massachusetts", which it does not give, is 1 word of 7 missing
    assert resolve_by_description("Massachusetts state marine biologist who studies great whites",
                                  described).name == "Greg Skomal"


def test_a_description_may_contain_lower_case_words_a_name_does_not() -> None:
    assert describes_someone("co-owner of Dos Cabezas WineWorks")
    assert describes_someone("president of Beyond Plastics")
    assert not describes_someone("Ursula von der Leyen") and not describes_someone("Joe Biden")


@given(st.text(alphabet="ab_ -.é1\n’A", max_size=40), st.text(alphabet="ab_ -é’A", min_size=1, max_size=3))
def test_whole_word_places_are_what_the_look_behind_pattern_finds(text: str, word: str) -> None:
    expected = [match.start() for match in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", text)]
    assert _whole_word_places(text, word) == expected


def test_mentions_cut_the_sentences_naming_the_person() -> None:
    text = "Coach Ron Rivera, the Panthers' coach, spoke. Riveras is another word. Later Rivera_x left.\nRivera won."
    assert mentions(text, "Ron Rivera") == ["Coach Ron Rivera, the Panthers' coach, spoke.", "Rivera won."]


def test_a_short_form_the_article_defines_stands_for_the_name() -> None:
    article = ("The Royal Meteorological Society (RMetS) warns of more heat.\n"
               "Professor Liz Bentley, chief executive of RMetS, spoke on Tuesday.\n"
               "“It will become something we see more often,” Bentley said.")
    described = [Described("Liz Bentley", "\n".join(mentions(article, "Liz Bentley")), article)]
    assert resolve_by_description("chief executive of the Royal Meteorological Society", described).name \
        == "Liz Bentley"


def test_a_person_the_description_names_is_not_the_one_it_describes() -> None:
    article = ("Judge Amit Mehta, hearing the January 6 lawsuits against Donald Trump, ruled on Friday.\n"
               "“The president's words were a call to action,” Mehta wrote.\n"
               "Donald Trump, who the lawsuits say incited the crowd, said the federal judge was wrong:\n"
               "“This is a witch hunt,” Trump said of the lawsuits.")
    described = described_in(article, "Donald Trump", "Amit Mehta")
    assert resolve_by_description("federal judge hearing the January 6 lawsuits against Trump",
                                  described).name == "Amit Mehta"
    # a family name opening a longer proper name is a firm's name, not the person's
    firm = "Shawn Hackett, president of Hackett Financial Advisors, spoke.\n“Buy now,” Hackett said."
    assert resolve_by_description("president of Hackett Financial Advisors",
                                  [Described("Shawn Hackett", firm, firm)]).name == "Shawn Hackett"


def test_the_office_a_description_names_goes_to_the_speaker_who_holds_it() -> None:
    article = ("“He will make the Carolina Panthers better,” owner David Tepper said of their coach.\n"
               "“We have work to do,” said Ron Rivera, the Panthers' coach.")
    described = [Described("David Tepper", article.splitlines()[0], article, "owner"),
                 Described("Ron Rivera", article.splitlines()[1], article, "coach")]
    # both have all the words around them; only Rivera's own role is the office
    assert resolve_by_description("the Carolina Panthers' coach", described).name == "Ron Rivera"


def test_a_mention_s_sentence_runs_past_the_full_stop_of_a_title() -> None:
    article = ("The agency spoke. “An adult tested positive,” department Director Dr. Sameer Vohra said at a "
               "briefing. Then it rained.")
    assert mentions(article, "Sameer Vohra") == [
        "“An adult tested positive,” department Director Dr. Sameer Vohra said at a briefing."]


def test_an_office_named_after_it_or_by_initials_is_the_same_office() -> None:
    acting = Person("Janet Woodcock", "Acting FDA Commissioner", 3, 3, "2021-05-13", "2022-02-03")
    califf = Person("Robert Califf", "commissioner of the US Food and Drug Administration", 1, 1,
                    "2022-05-11", "2022-05-11", 1)
    # the nation in the role is no region: the national office, named the long way, is still the office
    assert resolve_speaker("the FDA commissioner", [acting, califf]).name == "Robert Califf"
    deputy = Person("Jane Roe", "FDA deputy commissioner", 9, 9, "2022-05-11", "2022-05-11", 9)
    assert resolve_speaker("the FDA commissioner", [deputy, califf]).name == "Robert Califf"


def test_of_equal_fits_the_description_nearest_the_name_wins() -> None:
    article = ("Browns owner Jimmy Haslam spoke first at the league meeting in New York; the Steelers came next.\n"
               "“We have work to do,” Haslam said of the league.\n"
               "Steelers owner Art Rooney II said he understood.\n"
               "“I understand there is frustration,” Rooney said.")
    described = described_in(article, "Jimmy Haslam", "Art Rooney II")
    # both have "Steelers" and "owner" in their sentences; only Rooney has them beside his name
    assert resolve_by_description("the Steelers' owner", described).name == "Art Rooney II"


def test_one_office_written_several_ways_is_one_office() -> None:
    zients = Person("Jeff Zients", "White House Covid-19 response coordinator", 9, 9, "2021-09-20", "2022-02-09")
    jha = Person("Ashish Jha", "White House coronavirus response coordinator", 5, 5, "2022-06-03", "2022-07-23", 4)
    assert resolve_speaker("the White House Covid-19 response coordinator", [zients, jha]).name == "Ashish Jha"
    bharara = Person("Preet Bharara", "former Manhattan U.S. Attorney", 1, 2, "2021-08-11", "2021-08-11", 1)
    assert resolve_speaker("the former US attorney for Manhattan", [bharara]).name == "Preet Bharara"



def test_a_title_before_a_name_picks_the_namesake_who_holds_it() -> None:
    people = [Person("Harry Styles", "", 40, 30, "2022-01-01", "2022-06-01"),
              Person("Harry", "Prince", 3, 3, "2022-05-01", "2022-06-01"),
              Person("Elizabeth Warren", "Sen.", 50, 40, "2022-01-01", "2022-06-01"),
              Person("Elizabeth", "", 2, 2, "2022-05-01", "2022-05-01")]
    assert resolve_speaker("Prince Harry", people).name == "Harry"
    assert resolve_speaker("Senator Warren", people).name == "Elizabeth Warren"
    # no Elizabeth holds the title in these articles: still never someone whose first name it merely is
    assert resolve_speaker("Queen Elizabeth", people).name == "Elizabeth"
    assert resolve_speaker("Harry", people).name == "Harry Styles"  # no title asked: the most quoted


def test_a_family_name_matches_without_the_particle_joined_to_it() -> None:
    zawahiri = Person("Zawahiri", "", 1, 2, "2022-08-01", "2022-08-01")
    resolved = resolve_speaker("Ayman al-Zawahiri", [zawahiri, Person("Ayman Odeh", "", 1, 1, "2022-08-01", "2022-08-01")])
    assert resolved.names == ("Zawahiri",)
    assert name_search_words("Ayman al-Zawahiri") == ["Ayman", "al-Zawahiri", "Zawahiri"]


def test_a_role_s_holder_takes_the_quotes_stored_under_their_surname_alone() -> None:
    # the people table gives "Johnson" for the articles whose one Johnson is a person the role found
    holder = Person("Boris Johnson", "British Prime Minister", 9, 3, "2022-01-01", "2022-06-06", 4)
    resolved = resolve_speaker("the British prime minister", [holder, Person("Johnson", "", 2, 5, "2022-06-06", "2022-06-06")])
    assert resolved.name == "Boris Johnson" and resolved.names == ("Boris Johnson", "Johnson")


def test_the_office_holder_s_description_may_be_given_further_away() -> None:
    article = ("Trey Burke of Michigan won the award, the basketball writers said.\n"
               "“I feel so honored,” Burke said.\n"
               "Burke picked up the award with Wolverines coach John Beilein in the audience.\n"
               "“It was a bit overwhelming,” Beilein said.")
    described = [Described("Trey Burke", "\n".join(article.splitlines()[:2]), article),
                 Described("John Beilein", "\n".join(article.splitlines()[2:]), article, "Wolverines coach")]
    # the player has every word around him; the coach has "coach" in his own role and the rest in the article
    assert resolve_by_description("Michigan's basketball coach", described).name == "John Beilein"


def test_a_later_article_s_office_holder_replaces_a_holder_long_unseen_in_it() -> None:
    holder = resolve_speaker("the director of the Illinois Department of Public Health",
                             [Person("Ngozi Ezike", "director of the Illinois Department of Public Health", 3, 2,
                                     "2020-05-21", "2021-05-26")])
    assert holder.name == "Ngozi Ezike" and holder.last_seen == "2021-05-26"
    article = ("The Illinois Department of Public Health announced a case on Friday.\n"
               "“Screening is taking place now,” department Director Dr. Sameer Vohra said.")
    later = [Described("Sameer Vohra", article.splitlines()[1], article, "Director", "2022-08-05")]
    found = later_holder("the director of the Illinois Department of Public Health", later, holder)
    assert found is not None and found.name == "Sameer Vohra"
    # seen before the holder's last article, or not in the office: no evidence the office changed hands
    earlier = [Described("Sameer Vohra", article.splitlines()[1], article, "Director", "2021-01-05")]
    assert later_holder("the director of the Illinois Department of Public Health", earlier, holder) is None
    spokesman = [Described("Sameer Vohra", article.splitlines()[1], article, "spokesman", "2022-08-05")]
    assert later_holder("the director of the Illinois Department of Public Health", spokesman, holder) is None


def test_a_role_goes_to_a_person_whose_family_name_is_a_place() -> None:
    washington = Person("Erika Washington", "executive director of Make It Work Nevada", 1, 2, "2021-08-24", "2021-08-24")
    assert resolve_speaker("the executive director of Make It Work Nevada", [washington]).name == "Erika Washington"


def test_an_office_in_an_apposition_to_the_name_is_held() -> None:
    article = ("“We are not pushing anyone,” said Shelley Bickel, the county's public health administrator.\n"
               "About 7,000 children started their vaccination, according to Ken Sharp, a state Department of Public "
               "Health administrator helping coordinate the vaccination campaign. He called that “good news.”")
    described = [Described("Shelley Bickel", article.splitlines()[0], article, "county public health administrator"),
                 Described("Ken Sharp", article.splitlines()[1], article)]
    # both hold the office; Sharp, named so in an apposition, has every word of the description around him
    assert resolve_by_description("the state Department of Public Health administrator coordinating the "
                                  "vaccination campaign", described).name == "Ken Sharp"


def test_the_office_a_sentence_opens_with_after_a_name_is_that_person_s() -> None:
    article = ("Liz Truss is meeting the armed forces in Sarajevo today to show the UK's commitment. The foreign "
               "secretary is also unveiling plans for investment.\n"
               "Truss was due to warn that Russia's aggression “cannot be appeased”.")
    assert mentions(article, "Liz Truss")[:2] == [
        "Liz Truss is meeting the armed forces in Sarajevo today to show the UK's commitment.", "The foreign secretary"]
    hague = resolve_speaker("the UK foreign secretary",
                            [Person("William Hague", "British Foreign Secretary", 1, 2, "2014-05-12", "2014-05-12")])
    truss = [Described("Liz Truss", "\n".join(mentions(article, "Liz Truss")), article, "", "2021-11-02")]
    found = later_holder("the UK foreign secretary", truss, hague)
    assert found is not None and found.name == "Liz Truss"
