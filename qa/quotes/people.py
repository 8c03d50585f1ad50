"""Who is who in one article: the people it names, with role and gender, and what is an organisation."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

from qa.quotes.lexicon import (
    FEMALE_ROLE_WORDS,
    HONORIFICS,
    MALE_ROLE_WORDS,
    MENTION_RE,
    NAME_SUFFIXES,
    NATION_OF,
    ORG_WORDS,
    OTHER_OFFICE_WORDS,
    PARTY_WORDS,
    PLACE_FIRST_WORDS,
    PLACE_WORDS,
    ROLE_ABBREVIATIONS,
    ROLE_CORE,
)


@dataclass(frozen=True)
class Speaker:
    name: str  # "" for unnamed people and groups
    role: str = ""
    is_person: bool = False
    gender: str = ""  # "m", "f" or "" when unknown


NOBODY = Speaker("")


@dataclass(frozen=True)
class Mention:
    start: int  # including the role before the name
    end: int
    name: str
    role: str
    honorific: str


@dataclass
class People:
    """The article's persons by full name ("Antony Blinken"), with role and gender when given."""

    roles: dict[str, str] = field(default_factory=dict)
    genders: dict[str, str] = field(default_factory=dict)
    _tokens: dict[str, list[str]] = field(default_factory=dict)  # full name → tokens without "Jr."

    def add(self, name: str, role: str, gender: str) -> None:
        self.roles[name] = self.roles.get(name) or role
        self.genders[name] = self.genders.get(name) or gender
        self._tokens[name] = bare_tokens(name)

    def full_name(self, name: str, family_name_first: bool = False) -> str | None:
        """The one registered full name that ``name`` is or ends with ("Blinken"), if unambiguous;
        with ``family_name_first``, failing that, begins with ("Dong" for "Dong Hong")."""
        if name in self.roles:
            return name
        matches = self.names_ending_with(name)
        if not matches and family_name_first:
            matches = self._names_starting_with(name)
        return matches[0] if len(matches) == 1 else None

    def names_ending_with(self, name: str) -> list[str]:
        tokens = name.split()
        return [full for full, bare in self._tokens.items()
                if len(bare) > len(tokens) and bare[-len(tokens):] == tokens]

    def _names_starting_with(self, name: str) -> list[str]:
        tokens = name.split()
        return [full for full, bare in self._tokens.items()
                if len(bare) > len(tokens) and bare[:len(tokens)] == tokens]


def find_mentions(text: str) -> list[Mention]:
    """Names of people and organisations in ``text``, each with the role or honorific written before it."""
    mentions = []
    matches = list(MENTION_RE.finditer(text))
    # "King wrote" after "Martin Luther King Jr.": a role word that is the family name of someone named
    surnames = {bare_tokens(m.group("name"))[-1] for m in matches if len(bare_tokens(m.group("name"))) > 1}
    for match in matches:
        role, name = match.group("role") or "", match.group("name")
        first, _, rest = name.partition(" ")
        # "Ohio Gov. …", "Californian Kerry Kaye", "Eighteen-year-old Canadian Leylah Fernandez", "Democrat Joe
        # Biden": a place, an age or a party before a name is no part of it
        while (first in PLACE_WORDS or first in PARTY_WORDS or _is_demonym(first) or _AGE_RE.fullmatch(first)) \
                and len(rest.split()) > 1:
            name = rest
            first, _, rest = name.partition(" ")
        if (re.fullmatch(ROLE_CORE, name) and name not in surnames) or name.split()[-1] in PARTY_WORDS:
            continue  # "the President said" names a role; "the Massachusetts Democrat" no one
        if is_organisation(name):
            role = ""  # "General Motors" is not a general
        mentions.append(Mention(match.start(), match.end(), name, role, match.group("hon") or ""))
    return mentions


_AGE_RE = re.compile(r"[A-Z][a-z]+-year-old")


def _is_demonym(word: str) -> bool:
    """"Californian", "Texan", "Floridian": a person of a place that PLACE_WORDS names."""
    return word.endswith("n") and any(word[:len(place) - 1] == place[:-1] and len(word) - len(place) <= 2
                                      for place in PLACE_WORDS if len(place) > 3)


def bare_tokens(name: str) -> list[str]:
    return [t for t in name.split() if t.rstrip(".,").casefold() not in NAME_SUFFIXES]


def is_organisation(name: str) -> bool:
    tokens = name.split()  # "&": "Bed Bath & Beyond", "Johnson & Johnson", a firm's name, never a person's
    return any(t in ORG_WORDS or t == "&" for t in tokens) or (len(tokens) > 1 and tokens[0] in PLACE_FIRST_WORDS)


def gender_of(honorific: str, role: str) -> str:
    words = set(role.lower().split())
    if words & FEMALE_ROLE_WORDS:
        return "f"
    if words & MALE_ROLE_WORDS:
        return "m"
    return HONORIFICS.get(honorific, "")


_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]+")


def normalise(phrase: str) -> str:
    """Lower case, no accents, straight apostrophes, single spaces, no edge punctuation."""
    decomposed = unicodedata.normalize("NFKD", phrase.replace("’", "'"))
    # Only non-ASCII characters can be combining marks: whole articles pass through here.
    plain = _NON_ASCII_RE.sub(_drop_combining, decomposed).lower()
    return " ".join(plain.split()).strip(" ?!,;:\"“”")


def _drop_combining(run: re.Match[str]) -> str:
    return "".join(c for c in run.group() if not unicodedata.combining(c))


def role_parts(phrase: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """"the Russian foreign minister" → ({"russia"}, ("foreign", "minister"))."""
    words = [ROLE_ABBREVIATIONS.get(w, w) for w in normalise(phrase).split() if w not in ("the", "a", "an")]
    nations, core = set(), []
    index = 0
    while index < len(words):
        pair, word = " ".join(words[index:index + 2]), re.sub(r"'s$", "", words[index])
        if pair in NATION_OF:
            nations.add(NATION_OF[pair])
            index += 2
            continue
        if word in NATION_OF:
            nations.add(NATION_OF[word])
        else:
            core.append(word)
        index += 1
    return frozenset(nations), tuple(core)


def role_matches(query: str, role: str) -> bool:
    """A role named in a question fits a speaker's role; nationality counts only when asked. Either may
    name the office after it ("commissioner of the Food and Drug Administration") or by initials ("FDA
    commissioner")."""
    return any(_core_matches(query_form, role_form) for query_form in role_forms(query) for role_form in role_forms(role))


def _core_matches(query: tuple[frozenset[str], tuple[str, ...]], role: tuple[frozenset[str], tuple[str, ...]]) -> bool:
    (query_nations, query_core), (role_nations, role_core) = query, role
    if not query_core or not re.search(rf"(?:^|\s){ROLE_CORE}$", " ".join(query_core)):
        return False
    if query_nations and not query_nations & role_nations:
        return False
    width = len(query_core)
    return any(role_core[i:i + width] == query_core and (i == 0 or role_core[i - 1] not in OTHER_OFFICE_WORDS)
               for i in range(len(role_core) - width + 1))


# A run of capitalised words, "and"/"of"/"for" allowed inside: the name of an organisation in a role.
_PROPER_RUN_RE = re.compile(r"[A-Z][\w'’.-]*(?:\s+(?:(?:of|and|for)\s+)?[A-Z][\w'’.-]*)+")


@functools.lru_cache(maxsize=1 << 14)  # every role of every candidate row of every role question: roles recur
def role_forms(phrase: str) -> tuple[tuple[frozenset[str], tuple[str, ...]], ...]:
    """``role_parts`` of a role as written, with each organisation it names also by its initials ("Food and
    Drug Administration": "FDA"), and each of those with an office named before "of" moved to the end
    ("commissioner of the FDA": "FDA commissioner", "US attorney for Manhattan": "Manhattan US attorney")."""
    texts = [phrase]
    for run in _PROPER_RUN_RE.findall(phrase):
        words = [word for word in run.split() if word[:1].isupper() and word.casefold() not in NATION_OF]
        if len(words) >= 2:
            texts.append(phrase.replace(run, "".join(word[0] for word in words)))
    forms = []
    for text in texts:
        nations, core = role_parts(text)
        forms.append((nations, core))
        linked = [position for position, word in enumerate(core) if word in ("of", "for") and position]
        if linked and re.fullmatch(rf"(?:.*\s)?{ROLE_CORE}", " ".join(core[:linked[0]])):
            forms.append((nations, core[linked[0] + 1:] + core[:linked[0]]))
    return tuple(dict.fromkeys(forms))
