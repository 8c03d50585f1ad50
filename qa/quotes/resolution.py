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
  "Texas state Senate Minority Leader"). A holder not seen in the role in the weeks before the date gives
  way to a speaker whose own role is that office in a later article a search finds
  (``descriptions.later_holder``).
- A surname-only speaker ("Johnson said") is the one person of that name its article names (the people
  table links them), and a particle joined to a family name does not count ("al-Zawahiri" is "Zawahiri").
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from qa.quotes.lexicon import NAME_SUFFIXES, NATION_OF, PLACE_WORDS, ROLE_CORE
from qa.quotes.people import normalise, role_matches, role_parts
from qa.quotes.speakers import family_word, looks_like_person_name, name_matches, names_a_role

if TYPE_CHECKING:
    from qa.types import Person, PersonSeen

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
    last_seen: str = ""  # when resolved by role, the last date the articles gave the person that role

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

    def person_of(self, stored_name: str) -> str:
        """Which of the people the phrase fits ``stored_name`` is: one of the others', else the chosen one's."""
        return next((other for other, names in zip(self.others, self.alternatives) if stored_name in names), self.name)


def names_another(stored_name: str, person: str, named: Sequence[PersonSeen]) -> bool:
    """Whether a surname alone ("Johnson said") is someone other than ``person`` in an article that names the
    people ``named``: it names others of that family name in full (Magic Johnson) and not ``person``. A
    surname is matched to a full name across the whole archive; this keeps another Johnson's words out."""
    family, key = _lone_family(stored_name), person_key(person)
    if not family or len(key.split()) < 2:
        return False
    full = {person_key(seen.name) for seen in named}
    namesakes = {other for other in full if len(other.split()) > 1 and family_of(other) == family}
    return bool(namesakes) and key not in namesakes


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


def family_of(key: str) -> str:
    """The family name of a person_key, without a particle joined to it: "ayman al-zawahiri" → "zawahiri"."""
    return family_word(key.split()[-1]) if key else ""


def _lone_family(name: str) -> str:
    """The family name a surname-only speaker ("Zawahiri", "al-Zawahiri") is, "" for a longer name."""
    key = person_key(name)
    return family_of(key) if len(key.split()) == 1 else ""


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
    surname_only = [p for p in rows if len(key.split()) > 1 and _lone_family(p.name) == family_of(key)]
    candidates = _group(matching + surname_only)
    quoted = [c for c in candidates if c.quotes] or candidates
    if not quoted:
        return None
    ranked = sorted(quoted, key=lambda c: (-c.quotes, -c.articles, c.key))
    full_named = [c for c in ranked if len(c.key.split()) > 1]
    if full_named:  # a lone surname goes with the most quoted full name ending in it
        lone = [c for c in ranked if len(c.key.split()) == 1 and family_of(c.key) == family_of(full_named[0].key)]
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
    # "Johnson said" in an article that names the prime minister as its one Johnson is the prime minister
    # (the people table gives the surname-only rows of the articles that name a person found here).
    lone = {p.name for p in rows if _lone_family(p.name) == family_of(best.key)}
    names = tuple(sorted(set(_all_names(best.key, rows)) | lone))
    return Resolution(best.name, names, tuple(c.name for c in ranked[1:]), best.role, last_seen=best.last_seen)


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
