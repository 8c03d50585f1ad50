"""Who a question means: a name or role as a user writes it ("Blinken", "the CDC director", "the former
CDC director") resolved against the people table to one person, with the other people it could mean.

- A full name is that person ("Joseph R. Biden Jr." and "Joseph Biden" are one: middle initials and
  suffixes do not count).
- A surname that several quoted people share is the most quoted of them in the articles up to the
  question's date, unless another's words fit the question's topic better (quote ranking weighs all of
  theirs); the answer names the others.
- A role is its holder as of the question's date, else its most recent holder: among the people the
  articles up to that date gave that role, the one seen with it last. A former holder ("former CDC
  Director Robert Redfield") holds it only for "the former CDC director"; "then-" holders count; a national
  office named without a place means the national one, not a state's ("Senate minority leader" is not
  "Texas state Senate Minority Leader").
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from qa.quotes.lexicon import ABBREVIATIONS, NAME_SUFFIXES, NATION_OF, PLACE_WORDS, ROLE_CORE
from qa.quotes.people import normalise, role_matches, role_parts
from qa.quotes.speakers import last_name_word, looks_like_person_name, name_matches, names_a_role
from qa.text import english_stemmer

if TYPE_CHECKING:
    from qa.types import Person

_FORMER_RE = re.compile(r"^(?:the\s+)?(?:former|ex-|ex\s|onetime|one-time|retired|late)\b", re.IGNORECASE)
_THEN_RE = re.compile(r"\bthen-\s*", re.IGNORECASE)
_REGIONAL_WORDS = {"state", "county", "city", "local", "provincial", "regional", "municipal", "district"}
_PLACES = {place.casefold() for place in PLACE_WORDS}


@dataclass(frozen=True)
class Resolution:
    """The person a speaker phrase means, the stored names that are them, and who else it could mean."""

    name: str  # the fullest, most used form of the person's name
    names: tuple[str, ...]  # every stored speaker name that is this person
    others: tuple[str, ...] = ()  # other people the phrase fits, most prominent first
    role: str = ""  # the role the phrase named, as the articles wrote it, when resolved by role
    alternatives: tuple[tuple[str, ...], ...] = ()  # the stored names of each of ``others``
    described: bool = False  # resolved as a description no stored role fits, by the words around quotes


    @property
    def everyone(self) -> tuple[str, ...]:
        """The stored names of the chosen person and of every other person the phrase fits."""
        return self.names + tuple(name for names in self.alternatives for name in names)

    def choosing(self, stored_name: str) -> Resolution:
        """The same phrase taken to mean the person ``stored_name`` is (one of the others), the chosen one
        becoming another of the others."""
        for position, names in enumerate(self.alternatives):
            if stored_name in names:
                others = (self.name,) + self.others[:position] + self.others[position + 1:]
                alternatives = (self.names,) + self.alternatives[:position] + self.alternatives[position + 1:]
                return Resolution(self.others[position], names, others, self.role, alternatives, self.described)
        return self


@dataclass
class _Candidate:
    key: str
    names: dict[str, int]  # stored form → articles
    articles: int = 0
    quotes: int = 0
    last_seen: str = ""
    role: str = ""
    recent: int = 0  # articles in the weeks before the question's date

    @property
    def name(self) -> str:
        return max(self.names, key=lambda n: (len(n.split()) > 1, self.names[n], len(n)))


@functools.lru_cache(maxsize=1 << 16)  # called for every candidate row of every question: names recur
def person_key(name: str) -> str:
    """What stays of a name across its written forms: no middle initials, suffixes or accents."""
    tokens = [t for t in normalise(name).split() if t.rstrip(".") not in NAME_SUFFIXES]
    if len(tokens) > 2:
        tokens = [tokens[0]] + [t for t in tokens[1:-1] if not re.fullmatch(r"\w\.?", t)] + [tokens[-1]]
    return " ".join(tokens)


def is_former(role: str) -> bool:
    return bool(_FORMER_RE.match(role.strip()))


def resolve_speaker(phrase: str, people: Sequence[Person]) -> Resolution | None:
    """The person ``phrase`` means among ``people`` (rows of the people table, of the articles up to the
    question's date), or None when it fits no one."""
    if names_a_role(phrase) and not looks_like_person_name(phrase):
        return _by_role(phrase, people)
    return _by_title(phrase, people) or _by_name(phrase, people)


_TITLED_RE = re.compile(rf"^(?:the\s+)?(?P<title>{ROLE_CORE})\s+(?P<name>[A-Z].*)$")


def _by_title(phrase: str, rows: Sequence[Person]) -> Resolution | None:
    """"Pope Francis", "Prince Harry", "Queen Elizabeth": of the people with that name, one the articles give
    that title, before a better-known namesake without it ("Harry Styles", "Elizabeth Warren"); failing
    that, one named so in full or by family name, never someone whose first name it merely is."""
    match = _TITLED_RE.match(phrase.strip())
    if not match or not looks_like_person_name(match.group("name")):
        return None
    name, title = match.group("name"), match.group("title")
    titled = [person for person in rows
              if person.role and name_matches(name, person.name) and role_matches(title, person.role)]
    key = person_key(name)
    named = [person for person in rows if person_key(person.name) == key or person_key(person.name).endswith(" " + key)]
    return _by_name(name, titled or named) if titled or named else None


def _by_name(phrase: str, rows: Sequence[Person]) -> Resolution | None:
    key = person_key(phrase)
    matching = [p for p in rows if name_matches(phrase, p.name) or person_key(p.name) == key]
    # An article that names someone only by surname ("Budd said") stores the surname as the speaker: that
    # is the full-named person, when the question names one.
    family = key.split()[-1:] if key else []
    surname_only = [p for p in rows if len(key.split()) > 1 and person_key(p.name).split() == family]
    candidates = _group(matching + surname_only)
    quoted = [c for c in candidates if c.quotes] or candidates
    if not quoted:
        return None
    ranked = sorted(quoted, key=lambda c: (-c.quotes, -c.articles, c.key))
    full_named = [c for c in ranked if len(c.key.split()) > 1]
    if full_named:  # a lone surname goes with the most quoted full name ending in it
        lone = [c for c in ranked if len(c.key.split()) == 1 and full_named[0].key.endswith(" " + c.key)]
        for candidate in lone:
            full_named[0].names.update(candidate.names)
        ranked = [c for c in ranked if c not in lone]
    best = ranked[0]
    return Resolution(best.name, tuple(best.names), tuple(c.name for c in ranked[1:]),
                      alternatives=tuple(tuple(c.names) for c in ranked[1:]))


def _by_role(phrase: str, rows: Sequence[Person]) -> Resolution | None:
    wants_former = is_former(phrase)
    query = _FORMER_RE.sub("", phrase).strip()
    fitting = []
    for person in rows:
        role = _THEN_RE.sub("", person.role)
        if not role or is_former(role) != wants_former or not looks_like_person_name(person.name):
            continue
        if role_matches(query, _FORMER_RE.sub("", role)):
            fitting.append((person, _regional(query, role)))
    if not fitting:
        return None
    if any(not regional for _, regional in fitting):  # national over regional, unless the question says where
        fitting = [(person, regional) for person, regional in fitting if not regional]
    candidates = _group([person for person, _ in fitting])
    for candidate in candidates:
        candidate.role = max((p for p, _ in fitting if person_key(p.name) == candidate.key),
                             key=lambda p: p.articles).role
    # The holder as of the date: given the role by the most articles of the weeks before it, then seen in it
    # most recently (by month, so one day's stray mention does not unseat the incumbent), then most often.
    ranked = sorted(candidates, key=lambda c: (c.recent, c.last_seen[:7], c.articles, c.quotes), reverse=True)
    best = ranked[0]
    names = _all_names(best.key, rows)
    return Resolution(best.name, names, tuple(c.name for c in ranked[1:]), best.role)


def _regional(query: str, role: str) -> bool:
    """Whether ``role`` carries a place or level of government the query does not ("Texas state")."""
    query_words = set(normalise(query).split())
    _, core = role_parts(role)
    extra = [w for w in normalise(role).split() if w not in query_words and w not in NATION_OF]  # a nation is no region
    return any(w in _REGIONAL_WORDS or w.strip(",") in _PLACES for w in extra) and bool(core)


def _group(rows: Sequence[Person]) -> list[_Candidate]:
    """Rows of the same person (by person_key) summed: one candidate per person."""
    grouped: dict[str, _Candidate] = {}
    for person in rows:
        key = person_key(person.name)
        candidate = grouped.setdefault(key, _Candidate(key, {}))
        candidate.quotes += person.quotes
        candidate.last_seen = max(candidate.last_seen, person.last_seen)
        candidate.names[person.name] = candidate.names.get(person.name, 0) + person.articles
        candidate.articles += person.articles  # an article gives a name one role: one row
        candidate.recent += person.recent_articles
    return list(grouped.values())


def _all_names(key: str, rows: Sequence[Person]) -> tuple[str, ...]:
    return tuple(sorted({p.name for p in rows if person_key(p.name) == key}))


_FILLER_WORDS = {"the", "a", "an", "of", "in", "at", "for", "and", "who", "that", "s", "former", "then"}
DESCRIPTION_SHARE = 0.75  # of a description's words the article must give around the speaker
ELSEWHERE = 0.5  # what a description word counts for when the article has it, but not around the speaker
_BESIDE = 40  # characters either side of a name that say who they are ("Steelers owner Art Rooney II")
_WINDOW = 200  # characters either side of a mention: at most the sentence it is in


@dataclass(frozen=True)
class Described:
    """A speaker quoted in one article, with what that article says around them."""

    speaker: str
    near: str  # the framings of their quotes and the sentences that name them
    article: str  # the whole article: words of a description it gives further away count less
    role: str = ""  # the role the article gives them ("Wolverines coach"), when it gives one


_NAME_PARTICLES = {"al", "bin", "ibn", "de", "da", "di", "du", "van", "von", "der", "den", "la", "le", "del",
                   "della", "dos", "das", "ter", "ten", "y"}


def describes_someone(phrase: str) -> bool:
    """Whether a speaker phrase is a description ("the Steelers' owner", "co-owner of Dos Cabezas") rather
    than a name, even one with a particle ("Ayman al-Zawahiri", "Ursula von der Leyen")."""
    lower = re.findall(r"(?<![\w'’])[a-z]+\b", phrase)
    return names_a_role(phrase) or any(word not in _NAME_PARTICLES for word in lower)


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
        found.append(text[before + 1 if before >= 0 else low:min(after) + 1 if after else high].strip())
    return found


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


def resolve_by_description(phrase: str, described: Sequence[Described]) -> Resolution | None:
    """The speaker a description names when no stored role fits it ("the president of the National
    Education Association", "the Carolina Panthers' coach"): among the speakers quoted in the articles a
    search for it ranks first (``described``, best article first), the one whose article gives the most of
    the description's words around them (ELSEWHERE for each word it gives further away), at least
    DESCRIPTION_SHARE of them. A person beats a name that is not one ("the National Education
    Association said")."""
    wanted = description_words(phrase)
    if len(wanted) < 2:
        return None
    acronyms = _acronyms(phrase)
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
        share = (len(around) + ELSEWHERE * len(elsewhere)) / len(wanted)
        best[item.speaker] = max(best.get(item.speaker, 0.0), share)
    fitting = [speaker for speaker, share in best.items() if share >= DESCRIPTION_SHARE and not _named_in(phrase, speaker)]
    fitting = [speaker for speaker in fitting if looks_like_person_name(speaker)] or fitting
    # The description's office in a speaker's own role ("the Carolina Panthers' coach" and "coach Ron Rivera")
    # beats its words merely around them (the team's owner, quoted in the same story).
    office = _office(phrase)
    holding = {item.speaker for item in described if office and office <= description_words(item.role)}
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
