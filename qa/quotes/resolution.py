"""Who a question means: a name or role as a user writes it ("Blinken", "the CDC director", "the former
CDC director") resolved against the people table to one person, with the other people it could mean.

- A full name is that person ("Joseph R. Biden Jr." and "Joseph Biden" are one: middle initials and
  suffixes do not count).
- A surname that several quoted people share is the most quoted of them in the articles up to the
  question's date; the answer names the others.
- A role is its holder as of the question's date, else its most recent holder: among the people the
  articles up to that date gave that role, the one seen with it last. A former holder ("former CDC
  Director Robert Redfield") holds it only for "the former CDC director"; "then-" holders count; a national
  office named without a place means the national one, not a state's ("Senate minority leader" is not
  "Texas state Senate Minority Leader").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from qa.quotes.lexicon import PLACE_WORDS
from qa.quotes.people import normalise, role_matches, role_parts
from qa.quotes.speakers import looks_like_person_name, name_matches, names_a_role

if TYPE_CHECKING:
    from qa.types import Person

_FORMER_RE = re.compile(r"^(?:the\s+)?(?:former|ex-|ex\s|onetime|one-time|retired|late)\b", re.IGNORECASE)
_THEN_RE = re.compile(r"\bthen-\s*", re.IGNORECASE)
_REGIONAL_WORDS = {"state", "county", "city", "local", "provincial", "regional", "municipal", "district"}
_PLACES = {place.casefold() for place in PLACE_WORDS}
_SUFFIXES = {"jr.", "jr", "sr.", "sr", "ii", "iii", "iv"}


@dataclass(frozen=True)
class Resolution:
    """The person a speaker phrase means, the stored names that are them, and who else it could mean."""

    name: str  # the fullest, most used form of the person's name
    names: tuple[str, ...]  # every stored speaker name that is this person
    others: tuple[str, ...] = ()  # other people the phrase fits, most prominent first
    role: str = ""  # the role the phrase named, as the articles wrote it, when resolved by role


@dataclass
class _Candidate:
    key: str
    names: dict[str, int]  # stored form → articles
    articles: int = 0
    quotes: int = 0
    last_seen: str = ""
    role: str = ""

    @property
    def name(self) -> str:
        return max(self.names, key=lambda n: (self.names[n], len(n)))


def person_key(name: str) -> str:
    """What stays of a name across its written forms: no middle initials, suffixes or accents."""
    tokens = [t for t in normalise(name).split() if t not in _SUFFIXES]
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
    return _by_name(phrase, people)


def _by_name(phrase: str, rows: Sequence[Person]) -> Resolution | None:
    key = person_key(phrase)
    candidates = _group([p for p in rows if name_matches(phrase, p.name) or person_key(p.name) == key])
    quoted = [c for c in candidates if c.quotes] or candidates
    if not quoted:
        return None
    ranked = sorted(quoted, key=lambda c: (-c.quotes, -c.articles, c.key))
    best = ranked[0]
    return Resolution(best.name, tuple(best.names), tuple(c.name for c in ranked[1:]))


def _by_role(phrase: str, rows: Sequence[Person]) -> Resolution | None:
    wants_former = is_former(phrase)
    query = _FORMER_RE.sub("", phrase).strip()
    fitting = []
    for person in rows:
        role = _THEN_RE.sub("", person.role)
        if not role or is_former(role) != wants_former:
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
    # The holder as of the date: seen in the role most recently (by month, so one day's stray mention does
    # not unseat the incumbent), then most often.
    ranked = sorted(candidates, key=lambda c: (c.last_seen[:7], c.articles, c.quotes), reverse=True)
    best = ranked[0]
    names = _all_names(best.key, rows)
    return Resolution(best.name, names, tuple(c.name for c in ranked[1:]), best.role)


def _regional(query: str, role: str) -> bool:
    """Whether ``role`` carries a place or level of government the query does not ("Texas state")."""
    query_words = set(normalise(query).split())
    _, core = role_parts(role)
    extra = [w for w in normalise(role).split() if w not in query_words]
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
    return list(grouped.values())


def _all_names(key: str, rows: Sequence[Person]) -> tuple[str, ...]:
    return tuple(sorted({p.name for p in rows if person_key(p.name) == key}))
