"""Query time: matching a name or role as a user writes it ("Blinken", "the secretary of state") against
the speakers of stored quotes, and naming those speakers in an answer."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from qa.quotes.lexicon import (
    DOCUMENT_NOUNS,
    HONORIFICS,
    LOWER,
    NAME_PARTICLES,
    NAME_SUFFIXES,
    NATION_OF,
    NOT_NAME_WORDS,
    PLACE_FAMILY_NAMES,
    PLACE_WORDS,
    ROLE_ABBREVIATIONS,
    ROLE_CORE,
    ROLE_CORES,
    UPPER,
)
from qa.quotes.people import bare_tokens, is_organisation, normalise, role_forms, role_matches

if TYPE_CHECKING:
    from qa.types import Quote

_ROLE_WORDS = {w for core in ROLE_CORES for w in core.split()} | set(ROLE_ABBREVIATIONS.values())
_QUERY_PREFIX_WORDS = _ROLE_WORDS | set(NATION_OF) | {"the", "former", "mr.", "mrs.", "ms.", "dr.", "mr",
                                                      "mrs", "ms", "dr", "miss", "sir"}


def name_matches(query: str, speaker: str) -> bool:
    """"blinken", "antony blinken", "secretary blinken" all name "Antony Blinken"; "dong" names
    "Dong Hong" (family name first).  Never a different first name: "jill biden" is not "Joe Biden"."""
    query_tokens = re.sub(r"'s$", "", normalise(query)).split()
    while len(query_tokens) > 1 and query_tokens[0] in _QUERY_PREFIX_WORDS:
        query_tokens = query_tokens[1:]
    speaker_tokens = [t for t in normalise(speaker).split() if t.rstrip(".") not in NAME_SUFFIXES]
    width = len(query_tokens)
    if not query_tokens or width > len(speaker_tokens):
        return False
    if speaker_tokens[-width:] == query_tokens:
        return True
    return speaker_tokens[:width] == query_tokens and not is_organisation(speaker)  # not "White" → "White House"


def speaker_matches(query_name: str, quote: Quote) -> bool:
    """Whether a name or role from a question ("Blinken", "the secretary of state") is the quote's speaker."""
    if not quote.speaker or not query_name.strip():
        return False
    return name_matches(query_name, quote.speaker) or bool(quote.role and role_matches(query_name, quote.role))


_SAY_VERBS = (r"say|said|tell|told|think|describe|described|comment|respond|responded|react|reacted|"
              r"mean|meant|write|wrote|tweet|tweeted|argue|argued|claim|claimed|warn|warned|explain|"
              r"explained|predict|predicted|add|added|announce|announced|reveal|revealed|"
              r"advise|advised|recommend|recommended|suggest|suggested|urge|urged|promise|promised|"
              r"admit|admitted|insist|insisted|acknowledge|acknowledged|concede|conceded|propose|proposed|"
              r"have to say|had to say")
_SAY_QUESTION_RE = re.compile(
    rf"^(?:what|how)\s+(?:did|does|do|has|have|had|will|would)\s+(?P<speaker>.+?)\s+"
    rf"(?:{_SAY_VERBS})\b(?P<rest>.*)$",
    re.IGNORECASE)
# "What did X say" marks X as the speaker by its form, however long a description X is ("the head of global
# health at Congo's Institute of National Biomedical Research"); "X's views on Y" could be any noun phrase.
MAX_SAY_SPEAKER_WORDS = 14
MAX_REMARKS_SPEAKER_WORDS = 6
_REMARKS_QUESTION_RE = re.compile(
    r"^(?:what\s+(?:are|were|is|was)\s+)?(?:quotes\s+(?:from|by)\s+)?(?P<speaker>.+?)(?:['’]s)?\s+"
    r"(?:comments?|remarks?|quotes?|statements?|words|views?|thoughts?)"
    r"(?:\s+(?:on|about|regarding|concerning|of|over)\s+(?P<rest>.+))?$",
    re.IGNORECASE)
_AUDIENCE_RE = re.compile(r"^(?:reporters|journalists|the press|the media|us|them|him|her|cnn|congress|"
                          r"lawmakers|the nation|the public)\b\s*", re.IGNORECASE)
_TOPIC_PREPOSITION_RE = re.compile(r"^(?:about|on|regarding|concerning|of|over|in response to|to)\b\s*",
                                   re.IGNORECASE)


_TIMELINE_RE = re.compile(
    r"^(?:what\s+(?:has|have)\s+(?P<speaker>.+?)\s+(?:said|stated|told\s+\S+)\b(?P<rest>.*?)"
    r"|(?P<speaker2>.+?)\s+on\s+(?P<rest2>.+?))(?:\s+over\s+time)?$",
    re.IGNORECASE)
_OVER_TIME_RE = re.compile(r"\s+over\s+time$", re.IGNORECASE)


def parse_timeline_question(question: str) -> tuple[str, str] | None:
    """("Blinken", "Article 5") for "what has Blinken said about Article 5?" and "Blinken on Article 5 over
    time": questions for everything a speaker said, in order, rather than their one best quotation."""
    text = " ".join(question.strip().rstrip("?.! ").split())
    over_time = bool(_OVER_TIME_RE.search(text))
    if over_time and (said := parse_say_question(_OVER_TIME_RE.sub("", text))):
        return said
    match = _TIMELINE_RE.match(text)
    if not match or (match.group("speaker2") and not over_time):
        return None
    if match.group("speaker2"):
        speaker, rest = match.group("speaker2"), "about " + match.group("rest2")
    else:
        speaker, rest = match.group("speaker"), match.group("rest")
    return parse_say_question(f"what did {speaker} say {_OVER_TIME_RE.sub('', rest).strip()}".strip())


def parse_say_question(question: str) -> tuple[str, str] | None:
    """("Blinken", "Article 5") for "what did Blinken say about Article 5?"; None for other questions."""
    text = " ".join(question.strip().rstrip("?.! ").split())
    say = _SAY_QUESTION_RE.match(text)
    match = say or _REMARKS_QUESTION_RE.match(text)
    if not match:
        return None
    speaker = re.sub(r"^the\s+", "", match.group("speaker"), flags=re.IGNORECASE)
    if (not speaker or len(speaker.split()) > (MAX_SAY_SPEAKER_WORDS if say else MAX_REMARKS_SPEAKER_WORDS)
            or names_a_document(speaker)):
        return None
    topic = _AUDIENCE_RE.sub("", (match.group("rest") or "").strip())
    topic = _TOPIC_PREPOSITION_RE.sub("", topic)
    topic = re.sub(r"^(?:the|a|an)\s+", "", topic, flags=re.IGNORECASE)
    return speaker, topic.strip()


_CONTINENTS_AND_REGIONS = {"Europe", "Asia", "Africa", "America", "Americas", "Antarctica", "Oceania", "Arctic",
                           "Balkans", "Caribbean", "Baltics", "Scandinavia"}


def names_a_document(phrase: str) -> bool:
    """Whether ``phrase`` names a text, not a speaker: its head noun, the last word before what modifies it
    ("report" in "IPCC report" and in "report released by the IPCC"), is a document's."""
    head = re.split(r"\s+(?:of|by|in|at|from|on|for|with|about|that|which|who|released|published|issued|"
                    r"signed|filed|passed)\b", phrase.strip(), maxsplit=1, flags=re.IGNORECASE)[0]
    words = head.split()
    return bool(words) and words[-1].casefold() in DOCUMENT_NOUNS


def names_a_role(phrase: str) -> bool:
    """Whether ``phrase`` is a role a question can name a speaker by: "the secretary of state", "the US
    attorney for Manhattan"."""
    return any(core and re.fullmatch(rf"(?:.*\s)?{ROLE_CORE}", " ".join(core)) for _, core in role_forms(phrase))


def looks_like_person_name(phrase: str) -> bool:
    """Whether ``phrase`` reads as a person's name ("Lavrov", "Sergey Lavrov", "Mr. Blinken") rather than
    a place, organisation, acronym or common noun ("Ukraine", "Europe", "NATO", "sanctions")."""
    tokens = [t for t in bare_tokens(phrase.strip(" ?!.,")) if t not in HONORIFICS]
    # particles inside a name are no words of their own: "Ursula von der Leyen", "Bill de Blasio"
    tokens = tokens[:1] + [t for t in tokens[1:-1] if t not in NAME_PARTICLES] + tokens[1:][-1:]
    if not 1 <= len(tokens) <= 4 or is_organisation(" ".join(tokens)):
        return False
    for position, token in enumerate(tokens):
        bare = re.sub(r"['’]s$", "", token)
        family = position == len(tokens) - 1 and position > 0
        if (not _NAME_WORD_RE.fullmatch(family_word(bare) if family else bare)
                or (bare in PLACE_WORDS and not (family and bare in PLACE_FAMILY_NAMES))
                or bare in _CONTINENTS_AND_REGIONS or bare in NOT_NAME_WORDS
                or (bare.casefold() in NATION_OF and not (family and bare in PLACE_FAMILY_NAMES))):
            return False
    return True


# A name's word: "Lavrov", an initial ("R."), initials run together ("J.B."), "O'Malley", "D’Arezzo".
_NAME_WORD_RE = re.compile(rf"{UPPER}{LOWER}[\w'’-]*|(?:{UPPER}\.)+|{UPPER}['’]{UPPER}{LOWER}[\w'’-]*")


def family_name(speaker: str) -> str:
    """How an answer names a speaker it has just quoted again: a person by family name ("Blinken"),
    anyone else by the whole name."""
    names = bare_tokens(speaker)
    if len(names) < 2 or not looks_like_person_name(speaker):
        return speaker  # an organisation: "the White House also said"
    return names[-1]


def last_name_word(speaker: str) -> str:
    """The last word of a speaker's name, without "Jr." and the like ("Blinken"; "House" of "White
    House"): what every way an answer names the speaker contains, its family_name and its full name."""
    names = bare_tokens(speaker)
    return names[-1] if names else speaker


_JOINED_PARTICLE_RE = re.compile(rf"^(?:{'|'.join(sorted(NAME_PARTICLES))})[-‐](?=\w)", re.IGNORECASE)


def family_word(word: str) -> str:
    """A family name without the particle joined to it ("al-Zawahiri" → "Zawahiri"): how an article names
    the person again, and how the people table may hold them."""
    return _JOINED_PARTICLE_RE.sub("", word)


def role_label(role: str) -> str:
    """A stored role as an answer shows it, abbreviations written out: "Sen." → "Senator"."""
    full = ROLE_ABBREVIATIONS.get(role.casefold())
    return full.title() if full else role


_NAME_FILLERS = {"the", "a", "an", "of", "mr.", "mrs.", "ms.", "dr.", "mr", "mrs", "ms", "dr"}
_ABBREVIATION_OF_ROLE = {full: abbreviation for abbreviation, full in ROLE_ABBREVIATIONS.items()}


def name_search_words(speaker: str) -> list[str]:
    """Words of a speaker phrase as a user writes it, for a LIKE pre-filter of stored quotes on their
    speaker and role: fillers dropped, a role's stored abbreviation added, so that "the senator" still
    finds the role "Sen.", and a family name without its particle, so that "al-Zawahiri" finds "Zawahiri"."""
    words = [re.sub(r"['’]s$", "", word) for word in re.findall(r"[\w.'’-]+", speaker)]
    words = [word for word in words if word.casefold() not in _NAME_FILLERS]
    return (words + [_ABBREVIATION_OF_ROLE[w.casefold()] for w in words if w.casefold() in _ABBREVIATION_OF_ROLE]
            + [family_word(w) for w in words if family_word(w) != w])
