"""Quote finding and speaker attribution (qa.quotes.find_quotes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.quotes import find_quotes
from qa.quotes.speakers import parse_say_question, speaker_matches
from qa.types import Article, Quote

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample" / "blinken-lavrov-geneva.txt"


def quotes_of(text: str) -> list[Quote]:
    article = Article(id="t", text=text)
    quotes = find_quotes(article)
    for quote in quotes:  # the span invariant, checked on every article this module reads
        assert article.text[quote.start:quote.end] == quote.text
    return quotes


def quote_starting(quotes: list[Quote], prefix: str) -> Quote:
    matches = [q for q in quotes if q.text.startswith(prefix)]
    assert len(matches) == 1, f"{prefix!r} in {[q.text[:40] for q in quotes]}"
    return matches[0]


# -- the sample article ---------------------------------------------------------------------------


@pytest.fixture(scope="module", params=["headline in text", "headline as title"])
def sample_quotes(request: pytest.FixtureRequest) -> list[Quote]:
    raw = SAMPLE.read_text(encoding="utf-8")
    if request.param == "headline in text":
        article = Article(id="sample", text=raw)
    else:
        headline, _, body = raw.partition("\n")
        article = Article(id="sample", text=body, title=headline)
    quotes = find_quotes(article)
    for quote in quotes:
        assert article.text[quote.start:quote.end] == quote.text
    return quotes


@pytest.mark.parametrize("prefix", [
    "We are now on a clearer path",  # “…,” Secretary of State Antony Blinken told reporters
    "Let’s see what the next days bring",  # continues after that attribution
    "To the extent that Russia’s engaged",  # “…,” he said.
    "Our Article 5 commitment extends to NATO allies",  # “…,” Blinken said, referring to…
    "Ukraine is not a member of NATO",  # its continuation
    "If any Russian military forces move across Ukraine’s border",  # “…,” he said.
    "We intend … to have follow-on conversations",
])
def test_sample_quotes_are_blinkens(sample_quotes: list[Quote], prefix: str) -> None:
    quote = quote_starting(sample_quotes, prefix)
    assert (quote.speaker, quote.role) == ("Antony Blinken", "Secretary of State")


def test_sample_likelihood_quote_is_bidens_despite_its_backwards_mark(sample_quotes: list[Quote]) -> None:
    # "…Biden used a press conference this week to say that ”the likelihood…”" — the opening mark is a ”.
    quote = quote_starting(sample_quotes, "the likelihood that Ukraine is going to join NATO")
    assert quote.text.endswith("is not very likely")
    assert (quote.speaker, quote.role) == ("Joe Biden", "President")


def test_sample_has_no_lavrov_quote_and_no_scare_quotes(sample_quotes: list[Quote]) -> None:
    assert not [q for q in sample_quotes if "Lavrov" in q.speaker]
    assert {q.speaker for q in sample_quotes} == {"Antony Blinken", "Joe Biden"}
    assert not {"draft treaty", "invasion", "minor incursion"} & {q.text for q in sample_quotes}


def test_sample_answers_the_canonical_question(sample_quotes: list[Quote]) -> None:
    speaker, topic = parse_say_question("what did Blinken say about Article 5?")
    assert (speaker, topic) == ("Blinken", "Article 5")
    texts = [q.text for q in sample_quotes if speaker_matches(speaker, q) and "Article 5" in q.text]
    assert [t[:25] for t in texts] == ["Our Article 5 commitment ", "Ukraine is not a member o"]


# -- attribution patterns ---------------------------------------------------------------------------

PRELUDE = "Secretary of State Antony Blinken and Russian Foreign Minister Sergey Lavrov met in Geneva.\n\n"
BLINKEN = ("Antony Blinken", "Secretary of State")
LAVROV = ("Sergey Lavrov", "Russian Foreign Minister")


@pytest.mark.parametrize("paragraph, speaker", [
    ("“We will defend every inch of NATO territory,” Blinken said.", BLINKEN),
    ("“We will defend every inch of NATO territory,” said Blinken.", BLINKEN),
    ("“We will defend every inch of NATO territory,” Blinken told reporters in Geneva.", BLINKEN),
    ("“We will defend every inch of NATO territory,” Mr. Blinken later told reporters.", BLINKEN),
    ("Blinken said: “We will defend every inch of NATO territory.”", BLINKEN),
    ("Blinken said that “we will defend every inch of NATO territory.”", BLINKEN),
    ("According to Blinken, “we will defend every inch of NATO territory.”", BLINKEN),
    ("“We will defend every inch of NATO territory,” according to Blinken.", BLINKEN),
    ('"We will defend every inch of NATO territory," Blinken said.', BLINKEN),  # straight marks
    ("Blinken warned Lavrov that “any incursion will be met with a swift response.”", BLINKEN),
    ("“The talks were frank and useful,” Lavrov said.", LAVROV),
    ("“The talks were frank and useful,” the secretary of state said.", BLINKEN),  # role, unique in the article
    ("“The talks were frank and useful,” Lavrov, Russia's foreign minister, said.", LAVROV),
    ("Blinken and Lavrov said “the talks will continue next week in Geneva.”", ("", "")),  # joint: nobody's alone
    ("“We are ready to talk about everything,” the Kremlin said in a statement.", ("Kremlin", "")),
    ("“We are ready to talk about everything,” the White House said.", ("White House", "")),
    ("“We are ready to talk about everything,” a State Department spokesperson said.", ("State Department", "")),
    ("“We are ready to talk about everything,” officials said.", ("", "")),
    ("“We are ready to talk about everything,” the ministry said.", ("", "")),
    ("“We are ready to talk about everything,” a spokesperson for Blinken said.", ("", "")),  # not Blinken's words
    ("“We are ready to talk about everything,” they said.", ("", "")),
    ("When asked, “Will you talk about everything?” Blinken smiled.", ("", "")),  # "when asked": no speaker
])
def test_attribution_patterns(paragraph: str, speaker: tuple[str, str]) -> None:
    quotes = quotes_of(PRELUDE + paragraph)
    assert len(quotes) == 1
    assert (quotes[0].speaker, quotes[0].role) == speaker


@pytest.mark.parametrize("text, speaker, role", [
    ("Russian Foreign Minister Sergey Lavrov spoke.\n\n“The talks were frank and useful,” he said.",
     "Sergey Lavrov", "Russian Foreign Minister"),
    ("“This bill does nothing for working families,” said Rep. Alexandria Ocasio-Cortez, D-N.Y.",
     "Alexandria Ocasio-Cortez", "Rep."),
    ("French Foreign Minister Jean-Yves Le Drian spoke.\n\n“Europe must speak with one voice,” Le Drian said.",
     "Jean-Yves Le Drian", "French Foreign Minister"),
    ("Sen. Mitt Romney spoke.\n\n“This is a very bad deal for the country,” Romney said.", "Mitt Romney", "Sen."),
    ("“We will win this election in November,” said Gov. Gavin Newsom.", "Gavin Newsom", "Gov."),
    ("“We are going to build the biggest factory,” Tesla CEO Elon Musk said.", "Elon Musk", "Tesla CEO"),
    ("“The sentence is long and the road is hard,” said Jane Doe, a professor of law at Yale.",
     "Jane Doe", "professor of law at Yale"),
    ("Chinese official Dong Hong spoke.\n\n“Returning travellers will be quarantined first,” Dong said.",
     "Dong Hong", "Chinese official"),  # family name first
    ("Dr. Emmanuel Walter Jr. spoke.\n\n“Parents can have that discussion with their child,” Walter said.",
     "Emmanuel Walter Jr.", ""),
])
def test_names_and_roles(text: str, speaker: str, role: str) -> None:
    quotes = quotes_of(text)
    assert [(q.speaker, q.role) for q in quotes] == [(speaker, role)]


def test_pronoun_goes_to_the_latest_subject_with_two_people_in_play() -> None:
    text = ("Olaf Scholz met Volodymyr Zelensky in Kyiv on Monday.\n\n"
            "“We stand with Ukraine for as long as it takes,” he said.\n\n"
            "Zelensky thanked Scholz for the weapons.\n\n"
            "“We need more air defence systems right now,” he said.")
    assert [q.speaker for q in quotes_of(text)] == ["Olaf Scholz", "Volodymyr Zelensky"]


def test_pronoun_gender_from_an_honorific() -> None:
    text = ("Ms. Jane Doe spoke first. Mr. John Smith answered her questions.\n\n"
            "“We could not agree on anything at all,” she said.")
    assert [q.speaker for q in quotes_of(text)] == ["Jane Doe"]


def test_pronoun_without_a_subject_to_refer_to_stays_unattributed() -> None:
    text = "Reporters met Ms. Jane Doe in Paris.\n\n“We could not agree on anything at all,” she said."
    assert [q.speaker for q in quotes_of(text)] == [""]


def test_it_refers_to_an_organisation_never_to_a_person() -> None:
    text = ("Antony Blinken met officials. The Kremlin rejected the plan.\n\n"
            "“This is unacceptable to us and to our allies,” it said.")
    assert [q.speaker for q in quotes_of(text)] == ["Kremlin"]


def test_continuations_in_a_paragraph() -> None:
    text = (PRELUDE + "“The first part of the quote,” Blinken said, “and the second part of the quote.”\n\n"
            "“We are ready to talk,” Lavrov said. “But we will not be bullied by anyone.”")
    assert [q.speaker for q in quotes_of(text)] == ["Antony Blinken"] * 2 + ["Sergey Lavrov"] * 2


def test_a_new_subject_stops_the_continuation() -> None:
    text = PRELUDE + "“We are ready to talk,” Blinken said. Lavrov disagreed. “That is simply not true at all.”"
    assert [q.speaker for q in quotes_of(text)] == ["Antony Blinken", ""]


def test_quote_running_across_paragraphs_shares_one_speaker() -> None:
    text = (PRELUDE + "“We have a plan for the coming winter months and we will stick to it,\n\n"
            "“and the second part of the same quote ends here,” Lavrov said.\n\n"
            "Blinken left Geneva on Saturday.")
    quotes = quotes_of(text)
    assert [q.speaker for q in quotes] == ["Sergey Lavrov", "Sergey Lavrov"]
    assert quotes[0].text.endswith("stick to it,")


def test_lead_in_sentence_and_colon_paragraph() -> None:
    text = (PRELUDE + "Blinken said the talks had been useful. “We now understand each other better.”\n\n"
            "Lavrov told reporters:\n\n“We will wait for a written answer from Washington.”")
    assert [q.speaker for q in quotes_of(text)] == ["Antony Blinken", "Sergey Lavrov"]


def test_scare_quotes_are_not_quotes_but_attributed_short_replies_are() -> None:
    text = (PRELUDE + "Critics called it a so-called “draft treaty” and a “minor incursion.”\n\n"
            "Asked whether he would resign, Blinken replied: “No.”\n\n“Never,” Lavrov said.")
    assert [(q.text, q.speaker) for q in quotes_of(text)] == [("No.", "Antony Blinken"), ("Never,", "Sergey Lavrov")]


def test_an_unclosed_mark_does_not_leak_into_the_next_paragraph() -> None:
    text = (PRELUDE + "Blinken called the plan “a recipe for trouble in Europe and beyond.\n\n"
            "Lavrov left. “We will see what happens next week,” Lavrov said.")
    quotes = quotes_of(text)
    assert quotes[-1].text == "We will see what happens next week,"
    assert quotes[-1].speaker == "Sergey Lavrov"


@pytest.mark.parametrize("signature", ["-- Professional tennis player Naomi Osaka, after Indian Wells",
                                       "— Naomi Osaka"])
def test_a_quote_paragraph_signed_on_the_next_line(signature: str) -> None:
    quotes = quotes_of(f'TODAY\'S QUOTE\n\n"I finally started talking to a therapist after Indian Wells."\n\n{signature}')
    assert [(q.speaker, q.text[:20]) for q in quotes] == [("Naomi Osaka", "I finally started ta")]
    # a dash line after a paragraph that is more than the quote signs nothing
    quotes = quotes_of(f'The coach said it was "a therapist after Indian Wells, no doubt."\n\n{signature}')
    assert "Naomi Osaka" not in [q.speaker for q in quotes]


def test_outlet_reporting_a_persons_words() -> None:
    text = "Campaigner Hugo Tagholm argued that “the dispensation was being abused”, said The Times."
    assert [(q.speaker, q.role) for q in quotes_of(text)] == [("Hugo Tagholm", "Campaigner")]


def test_two_apostrophes_typed_for_a_closing_mark_end_the_quote() -> None:
    text = ("“That’s what we’re playing for,’’ Hawks right fielder Kyle Dunn said, “a league title. Nothing "
            "else matters to us now.’’ They''re ready, fans said.")
    quotes = quotes_of(text)
    assert [(q.text, q.speaker) for q in quotes] == [
        ("That’s what we’re playing for,", "Kyle Dunn"),
        ("a league title. Nothing else matters to us now.", "Kyle Dunn")]
