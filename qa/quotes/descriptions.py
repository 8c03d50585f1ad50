"""Who a description means ("the Steelers' owner", "the president of the National Education Association")
when no stored role fits it: read off the words the articles give around each quoted speaker."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from qa.quotes.lexicon import ABBREVIATIONS, NAME_PARTICLES, ROLE_CORE
from qa.quotes.people import normalise
from qa.quotes.resolution import Resolution
from qa.quotes.speakers import last_name_word, looks_like_person_name, names_a_role
from qa.text import english_stemmer

_FILLER_WORDS = {"the", "a", "an", "of", "in", "at", "for", "and", "who", "that", "s", "former", "then"}
DESCRIPTION_SHARE = 0.75  # of a description's words the article must give around the speaker
ELSEWHERE = 0.5  # what a description word counts for when the article has it, but not around the speaker
HOLDER_ELSEWHERE = 0.75  # the same, for a speaker whose own role is the description's office
_BESIDE = 40  # characters either side of a name that say who they are ("Steelers owner Art Rooney II")
_WINDOW = 200  # characters either side of a mention: at most the sentence it is in


@dataclass(frozen=True)
class Described:
    """A speaker quoted in one article, with what that article says around them."""

    speaker: str
    near: str  # the framings of their quotes and the sentences that name them
    article: str  # the whole article: words of a description it gives further away count less
    role: str = ""  # the role the article gives them ("Wolverines coach"), when it gives one
    published: str = ""  # the article's date


def describes_someone(phrase: str) -> bool:
    """Whether a speaker phrase is a description ("the Steelers' owner", "co-owner of Dos Cabezas") rather
    than a name, even one with a particle ("Ayman al-Zawahiri", "Ursula von der Leyen")."""
    lower = re.findall(r"(?<![\w'’])[a-z]+\b", phrase)
    return names_a_role(phrase) or any(word not in NAME_PARTICLES for word in lower)


def _acronyms(phrase: str) -> dict[str, set[str]]:
    """The acronyms a description's proper names go by, with the words each stands for: "the National
    Education Association" → {"nea": {"national", "education", "association"}}."""
    found = {}
    for run in re.findall(r"[A-Z][\w'’]*(?:\s+(?:of\s+|and\s+|for\s+)?[A-Z][\w'’]*)+", phrase):
        words = [word for word in run.split() if word[:1].isupper()]
        if len(words) >= 2:
            found["".join(word[0] for word in words).casefold()] = description_words(run)
    return found


# "the Royal Meteorological Society (RMetS)": an article defines the short form it goes on to use.
_DEFINED_ACRONYM_RE = re.compile(r"([A-Z][\w'’]*(?:\s+(?:(?:of|and|for|the|on)\s+)*[A-Z][\w'’]*)+)\s+\(([A-Z][A-Za-z]{1,7})\)")


def _defined_acronyms(text: str, wanted: set[str]) -> dict[str, set[str]]:
    """The short forms ``text`` defines in parentheses for names made of ``wanted`` words, stemmed as
    description words are: "chief executive of RMetS" then gives the description's "Royal Meteorological
    Society" whatever initials the short form has."""
    found: dict[str, set[str]] = {}
    for match in _DEFINED_ACRONYM_RE.finditer(text):
        words = description_words(match.group(1)) & wanted
        if len(words) >= 2:
            short = english_stemmer().stemWord(match.group(2).casefold())
            found[short] = found.get(short, set()) | words
    return found


def description_words(phrase: str) -> set[str]:
    """The words of a description as a question gives it ("the Tampa Bay Lightning coach"), stemmed: the
    question's "who studies great whites" is the article's "who has been studying the region's great whites"."""
    words = set(re.findall(r"[a-z0-9]+", normalise(phrase).replace("'s", ""))) - _FILLER_WORDS
    return set(english_stemmer().stemWords(sorted(words)))


def mentions(text: str, name: str) -> list[str]:
    """The sentences of ``text`` that name ``name`` (by its last word, so "Rivera" finds "Ron Rivera"
    too), each cut to _WINDOW characters either side: where an article says who someone is ("Ron Rivera,
    the Panthers' coach", "Bishop Robert Deeley of the Diocese of Portland")."""
    last = last_name_word(name)
    if len(last) < 2:
        return []
    found = []
    for start in _whole_word_places(text, last):
        end = start + len(last)
        low, high = max(0, start - _WINDOW), min(len(text), end + _WINDOW)
        before = max(_sentence_end_before(text, low, start), *(text.rfind(mark, low, start) for mark in ("\n", "? ", "! ")))
        after = [position for position in (text.find(mark, end, high) for mark in (". ", "\n", "? ", "! "))
                 if position >= 0]
        sentence_end = min(after) + 1 if after else high
        found.append(text[before + 1 if before >= 0 else low:sentence_end].strip())
        title = _SECOND_REFERENCE_RE.match(text, sentence_end)
        if title:  # "Liz Truss is meeting … . The foreign secretary is also unveiling …": who she is
            found.append(title.group(1))
    return found


# A sentence that opens by naming someone by their office, as the next one after their name often does.
_SECOND_REFERENCE_RE = re.compile(rf"\s*(The\s+(?:[\w'’-]+\s+){{0,3}}?{ROLE_CORE})\b")


def _words_beside(text: str, name: str) -> set[str]:
    """The description words within _BESIDE characters of each place ``text`` names ``name`` (by its last
    word), in its paragraph: a title before the name, an apposition after it."""
    last = last_name_word(name)
    found: set[str] = set()
    for start in _whole_word_places(text, last) if len(last) > 1 else ():
        end = start + len(last)
        paragraph_end = text.find("\n", end)
        low = max(start - _BESIDE, text.rfind("\n", 0, start) + 1)
        high = min(end + _BESIDE, len(text) if paragraph_end < 0 else paragraph_end)
        found |= description_words(text[low:high])
    return found


_APPOSITION_RE = re.compile(r",\s+([^,.;:!?\n“”\"]{1,100})")


def _apposition_words(text: str, name: str) -> set[str]:
    """The description words of the appositions after each place ``text`` names ``name`` (by its last word):
    "Ken Sharp, an Iowa Department of Public Health administrator helping coordinate …"."""
    last = last_name_word(name)
    found: set[str] = set()
    for start in _whole_word_places(text, last) if len(last) > 1 else ():
        apposition = _APPOSITION_RE.match(text, start + len(last))
        if apposition:
            found |= description_words(apposition.group(1))
    return found


def _holds(item: Described, office: set[str]) -> bool:
    """Whether a speaker holds the office a description names, by the role the article gives them, an
    apposition to their name, or the office the sentence after their name opens with ("The foreign secretary")."""
    if not office:
        return False
    titles = [mention for mention in mentions(item.article, item.speaker) if _SECOND_REFERENCE_RE.fullmatch(mention)]
    return any(office <= words for words in (description_words(item.role), _apposition_words(item.article, item.speaker),
                                              description_words(" ".join(titles))))


def _sentence_end_before(text: str, low: int, start: int) -> int:
    """Where the last ". " in ``text[low:start]`` ends a sentence, -1 if none: the full stop of "Dr." or
    "Gov." before a name ("department Director Dr. Sameer Vohra said") ends none."""
    position = text.rfind(". ", low, start)
    while position >= 0:
        word = text[text.rfind(" ", low, position) + 1:position].casefold().lstrip("(\"“")
        if word not in ABBREVIATIONS:
            return position
        position = text.rfind(". ", low, position)
    return -1


def _whole_word_places(text: str, word: str) -> list[int]:
    """Where ``word`` stands in ``text`` with no word character either side, as a regular expression with a
    look-behind and a look-ahead for word characters finds it, but by str.find: a pattern that opens with a
    look-behind is tried at every character (1–2 ms an article, for every speaker of every article a
    description reads)."""
    places, position = [], text.find(word)
    while position >= 0:
        end = position + len(word)
        if (position == 0 or not _word_character(text[position - 1])) and (
            end == len(text) or not _word_character(text[end])
        ):
            places.append(position)
            position = text.find(word, end)
        else:
            position = text.find(word, position + 1)
    return places


def _word_character(character: str) -> bool:
    return character.isalnum() or character == "_"  # what a word character is to re in a str pattern


def _office(phrase: str) -> set[str]:
    """The office a description names ("coach" in "the Carolina Panthers' coach"), as description words;
    none for a role word inside a proper name ("Massachusetts General Hospital")."""
    for match in re.finditer(rf"\b{ROLE_CORE}\b", phrase):
        if not re.match(r"\s+[A-Z]", phrase[match.end():]):
            return description_words(match.group())
    return set()


def _named_in(phrase: str, speaker: str) -> bool:
    """Whether a description names ``speaker`` as someone else it relates to ("Peter Meijer's primary
    challenger", "the judge hearing the lawsuits against Trump"): then it describes another person. A
    family name that opens a longer proper name ("Hackett Financial Advisors") names a firm, not them."""
    last = last_name_word(speaker)
    return len(last) > 1 and re.search(rf"(?<![\w'’]){re.escape(last)}(?![\w-])(?!\s+[A-Z])", phrase) is not None


def later_holder(phrase: str, described: Sequence[Described], holder: Resolution) -> Resolution | None:
    """Who the description of an office means instead of ``holder``, the person the stored roles give it
    to but last saw in it long before the question's date: the speaker resolve_by_description picks, when
    their own role in an article published after that is the office (a new department director, named
    "department Director Dr. Sameer Vohra" a year after the last article on the previous one)."""
    found = resolve_by_description(phrase, described)
    office = _office(phrase)
    if found is None or not office:
        return None
    later = [item for item in described if item.speaker == found.name and item.published > holder.last_seen
             and _holds(item, office)]
    return found if later else None


def resolve_by_description(phrase: str, described: Sequence[Described]) -> Resolution | None:
    """The speaker a description names when no stored role fits it ("the president of the National
    Education Association", "the Carolina Panthers' coach"): among the speakers quoted in the articles a
    search for it ranks first (``described``, best article first), the one whose article gives the most of
    the description's words around them (ELSEWHERE for each word it gives further away, HOLDER_ELSEWHERE
    when their own role is the description's office), at least DESCRIPTION_SHARE of them. A person beats a name that is not one ("the National Education
    Association said")."""
    wanted = description_words(phrase)
    if len(wanted) < 2:
        return None
    acronyms = _acronyms(phrase)
    office = _office(phrase)
    best: dict[str, float] = {}
    article_words: dict[str, set[str]] = {}
    defined: dict[str, dict[str, set[str]]] = {}
    for item in described:
        if not item.speaker:
            continue
        if item.article not in article_words:
            article_words[item.article] = description_words(item.article)
            defined[item.article] = _defined_acronyms(item.article, wanted)
        near_words = description_words(item.near)
        around = wanted & near_words
        for acronym, words in (acronyms | defined[item.article]).items():
            if acronym in near_words:  # "NEA president Becky Pringle", "chief executive of RMetS"
                around |= wanted & words
        elsewhere = (wanted & article_words[item.article]) - around
        # "Wolverines coach John Beilein" in a story that says "Michigan" and "basketball" a paragraph away: the
        # office in their own role ties them to the rest of the article's description more than mere presence
        weight = HOLDER_ELSEWHERE if office and office <= description_words(item.role) else ELSEWHERE
        share = (len(around) + weight * len(elsewhere)) / len(wanted)
        best[item.speaker] = max(best.get(item.speaker, 0.0), share)
    fitting = [speaker for speaker, share in best.items() if share >= DESCRIPTION_SHARE and not _named_in(phrase, speaker)]
    fitting = [speaker for speaker in fitting if looks_like_person_name(speaker)] or fitting
    # The description's office in a speaker's own role ("the Carolina Panthers' coach" and "coach Ron Rivera")
    # or in an apposition to their name ("Ken Sharp, an … administrator") beats its words merely around them
    # (the team's owner, quoted in the same story).
    holding = {item.speaker for item in described if _holds(item, office)}
    fitting = [speaker for speaker in fitting if speaker in holding] or fitting
    if not fitting:
        return None
    top = max(best[speaker] for speaker in fitting)
    tied = [speaker for speaker in fitting if best[speaker] == top]
    articles = {item.speaker: item.article for item in reversed(described)}  # the best-ranked article of each
    # Equal fits: the description nearest the name ("Steelers owner Art Rooney II" against "Browns owner
    # Jimmy Haslam … the Steelers"); then the earlier search result (dict order).
    chosen = max(tied, key=lambda speaker: len(wanted & _words_beside(articles[speaker], speaker)))
    others = tuple(speaker for speaker in fitting if speaker != chosen)
    return Resolution(chosen, (chosen,), others, alternatives=tuple((other,) for other in others), described=True)
