"""Attribution rules added against the hand-labelled sample (bench/quotes): quotes that continue a
speaker's statement, lower-case descriptions before a name, participles, a full stop before "X wrote.",
titles in quotation marks, and the people each article names."""

from __future__ import annotations

from qa.quotes import find_quotes, read_quotes
from qa.types import Article, Quote


def speaker_of(text: str, prefix: str) -> str:
    quotes = find_quotes(Article(id="t", text=text))
    found = [q for q in quotes if q.text.startswith(prefix)]
    assert len(found) == 1, [q.text[:30] for q in quotes]
    return found[0].speaker


def test_a_second_quote_continues_past_an_appositive_naming_an_organisation() -> None:
    text = ("“Somebody is holding on to a very important piece of paper this morning,” said Carolyn Becker, "
            "California Lottery spokesperson. “That person needs to keep it safe until they come forward.”")
    assert speaker_of(text, "That person") == "Carolyn Becker"


def test_companies_named_after_a_speaker_do_not_interrupt_their_statement() -> None:
    text = ("“They’re starting with this idea of one big space,” said Avi Bar-Zeev, a former employee at Apple, "
            "Amazon and Microsoft. “There’s no virtual world that was ever successful that way.”")
    assert speaker_of(text, "There’s no") == "Avi Bar-Zeev"


def test_another_person_made_the_subject_still_interrupts() -> None:
    text = ("“We will win this series in five games,” said Paul Smith. Coach Jane Doe disagreed with him. "
            "“It will take seven games at least, if not more,” she added later.")
    assert speaker_of(text, "It will take") == "Jane Doe"


def test_a_lower_case_description_before_the_name() -> None:
    text = ("“The staff do a tremendous job preparing us for the heat,” winger Paul Arriola said after training. "
            "“I think it’s pretty cool,” said shortstop Danny Mendick.")
    assert speaker_of(text, "The staff") == "Paul Arriola"
    assert speaker_of(text, "I think") == "Danny Mendick"


def test_a_participle_takes_the_subject_of_its_finite_verb() -> None:
    text = ("And New Jersey reinstated a public health emergency, Gov. Phil Murphy announced, saying the state "
            "needed to “commit every resource available to beating back the wave” of infections.")
    assert speaker_of(text, "commit every") == "Phil Murphy"


def test_a_full_stop_before_a_bare_attribution() -> None:
    text = ("Justice Samuel Alito wrote the opinion. “The dissent does not identify any authority for it.” Alito "
            "wrote. The court adjourned.")
    assert speaker_of(text, "The dissent") == "Samuel Alito"


def test_a_paragraph_that_is_only_a_quote_goes_on_with_the_previous_speaker() -> None:
    text = ("“We ended because the energy was running out in the studio,” Björn Ulvaeus said.\n\n"
            "“We never said this is it. We just said back then that we would go on a break.”")
    assert speaker_of(text, "We never said") == "Björn Ulvaeus"


def test_a_title_in_quotation_marks_is_not_a_quotation() -> None:
    text = ("“But she forgot about the lawn mower,” Jones wrote in his autobiography, “I Lived to Tell It All.” "
            "George Jones cleaned up his act for good in 1999.")
    quotes = find_quotes(Article(id="t", text=text))
    assert [q.text for q in quotes] == ["But she forgot about the lawn mower,"]


def test_read_quotes_gives_framings_and_the_people_named() -> None:
    article = Article(id="t", text=(
        "Former CDC Director Robert Redfield said the agency erred early on.\n\n"
        "“We made mistakes in the first months,” Redfield said. CDC Director Rochelle Walensky disagreed."))
    found = read_quotes(article)
    quote: Quote = found.quotes[0]
    start, end = found.frames[0]
    assert start <= quote.start and quote.end <= end
    assert "Redfield said the agency erred" in article.text[start:end]  # the paragraph before
    people = {person.name: person for person in found.people}
    assert people["Robert Redfield"].role == "Former CDC Director" and people["Robert Redfield"].quotes == 1
    assert people["Rochelle Walensky"].role == "CDC Director" and people["Rochelle Walensky"].quotes == 0


def test_a_generic_noun_before_a_name_is_that_persons_role() -> None:
    text = "“We once again urge the US to fully clarify its activities,” spokesperson Zhao Lijian said."
    assert speaker_of(text, "We once again") == "Zhao Lijian"
    text = "“We will look at the evidence before we decide anything,” a spokesperson said."
    assert speaker_of(text, "We will look") == ""


def test_words_worked_into_a_sentence_are_its_sole_subjects() -> None:
    text = ("In a statement read outside the courthouse Thursday, US Attorney Stephanie Hinds thanked jurors for "
            "“dutifully navigating through the complex issues presented by this case.”")
    assert speaker_of(text, "dutifully") == "Stephanie Hinds"
    text = ("Nic Cheeseman studies elections in Africa and Europe.\nHe believes the current combination of crises is "
            "a “perfect storm for liberal democracy, and it will take far greater efforts to weather it.”")
    assert speaker_of(text, "perfect storm") == "Nic Cheeseman"


def test_a_sentence_naming_two_people_or_a_people_has_no_sole_subject() -> None:
    text = "Jane Doe met John Roe after the plan was called “a disaster for every farmer in the valley” online."
    assert speaker_of(text, "a disaster") == ""
    text = ("The Latin American state has been described as “the world's most dangerous country for "
            "environmentalists”.")
    assert speaker_of(text, "the world's") == ""


def test_a_program_is_an_organisation_not_whom_he_refers_to() -> None:
    text = ("Jeffrey Lewis, director of the East Asia Nonproliferation Program at the Middlebury Institute, "
            "studies missiles.\n“North Korea has a bunch of missiles that are shorter range,” he said.")
    assert speaker_of(text, "North Korea") == "Jeffrey Lewis"
