"""Reading one article for find_quotes: its paragraphs, sentences, quotations, mentions of people,
and who is the subject where, for the attribution rules to look up."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qa.quotes.lexicon import (
    ABBREVIATIONS,
    APPOSITIVE_RE,
    APPOSITIVE_ROLE_RE,
    CLAUSE_OPENERS,
    ACRONYM_RE,
    COMMON_VERBS,
    DEFINITE_DESCRIPTION_RE,
    DETERMINERS,
    FILLER,
    GENERIC_NOUNS,
    JOINT_SUBJECT_RE,
    LIST_GOES_ON_RE,
    NATION_OF,
    POSSESSIVE_RE,
    PREPOSITIONS,
    PRONOUN_GENDER,
    PRONOUN_RE,
    ROLE_CORE,
    SENTENCE_END_RE,
    SPEECH_VERB_RE,
    TRAILING_FILLERS_RE,
)
from qa.quotes.people import NOBODY, People, Speaker, bare_tokens, find_mentions, gender_of, is_organisation
from qa.quotes.speakers import looks_like_person_name
from qa.text import QuotationRules, find_quotations, split_paragraphs

if TYPE_CHECKING:
    from qa.quotes.people import Mention
    from qa.types import Article

# Quote finding's own reading of quotation marks, as it always was, so that the quotes stored in
# indexes stay what find_quotes gives (see EXTRACTOR_VERSION): guillemets count, and a second
# opening mark means that the first one was stray.
QUOTATION_RULES = QuotationRules(marks='“”«»"', punctuation_as_space=False, opening_restarts=True)


@dataclass
class RawQuote:
    """A quotation, or one paragraph's part of one, with its speaker once attributed."""

    start: int
    end: int
    open_mark: int
    close_mark: int | None  # None: the quote runs to the end of its paragraph
    paragraph: int
    chain: int  # the parts of a quote running across paragraphs share a chain number
    speaker: Speaker | None = None  # None: not attributed (yet)
    adjacent_attribution: bool = False  # "“No,” he said." — keeps even a short quote


@dataclass(frozen=True)
class _Event:
    """Someone became the subject of a sentence, or a speaker, at ``position``."""

    position: int
    paragraph: int
    speaker: Speaker


def _quote_spans(text: str, paragraphs: list[tuple[int, int]]) -> list[RawQuote]:
    """The quotations of ``text`` trimmed, empty ones left out; the parts of one share its chain."""
    quotes: list[RawQuote] = []
    for number, part in enumerate(find_quotations(text, paragraphs, QUOTATION_RULES)):
        end = part.closing if part.closing is not None else paragraphs[part.paragraph][1]
        chain = quotes[-1].chain if part.continues else number
        quotes.append(RawQuote(part.opening + 1, end, part.opening, part.closing, part.paragraph, chain))
    for quote in quotes:
        content = text[quote.start:quote.end]
        quote.start += len(content) - len(content.lstrip())
        quote.end -= len(content) - len(content.rstrip())
    return [q for q in quotes if q.end > q.start]


_DESCRIPTOR_RE = re.compile(  # "winger Paul Arriola", "NRF president and CEO Matthew Shay"
    r"(?:[A-Z][A-Z&]{1,5}[ ])?(?:[a-z][a-z’'-]+[ ]){1,3}(?:and[ ](?:[a-z][a-z’'-]+[ ]|[A-Z]{2,5}[ ]){1,3})?(?=[A-Z])")
_SPEAKS_RE = re.compile(rf"(?:,[^,]{{1,80}},)?(?:\s+{FILLER})*\s+{SPEECH_VERB_RE.pattern}")
# "Jane Doe of the Sierra Club said": the organisation a named person speaks for, part of the subject.
_AFFILIATION_RE = re.compile(r"[ ]+(?:of|from|at|with)[ ]+(?:the[ ]+)?")
_NOT_DESCRIPTORS = DETERMINERS | PREPOSITIONS | CLAUSE_OPENERS | {"said", "says", "told", "added", "wrote"}


class ArticleReader:
    """Everything find_quotes needs to know about one article, computed once."""

    def __init__(self, article: Article) -> None:
        self.text = article.text
        self.paragraphs = split_paragraphs(self.text)
        self._paragraph_starts = [start for start, _ in self.paragraphs]
        self._sentence_starts = self._find_sentence_starts()
        self.quotes = _quote_spans(self.text, self.paragraphs)
        self._quoted = [(q.open_mark, q.end) for q in self.quotes]
        self.mentions = find_mentions(self.text)
        self._mention_starts = [m.start for m in self.mentions]
        self._mention_at = {m.start: m for m in self.mentions}
        self.people = self._register_people(article.title)
        self.events: list[_Event] = []
        for mention in self.mentions:
            if not self.inside_quote(mention.start) and self._is_subject_position(mention):
                self.add_event(mention.start, self.speaker_for(mention))

    # -- positions ----------------------------------------------------------------------------

    def paragraph_of(self, position: int) -> int:
        return max(0, bisect.bisect_right(self._paragraph_starts, position) - 1)

    def _find_sentence_starts(self) -> list[int]:
        starts = set(self._paragraph_starts)
        for boundary in SENTENCE_END_RE.finditer(self.text):
            word_before = re.search(r"[\w.]*$", self.text[max(0, boundary.start() - 12):boundary.start()]).group()
            is_initial = len(word_before) == 1 and word_before.isupper()
            if word_before.lower() not in ABBREVIATIONS and not is_initial:
                starts.add(boundary.end())
        return sorted(starts)

    def sentence_start(self, position: int) -> int:
        """Start of the sentence holding ``position`` (never before its paragraph)."""
        index = bisect.bisect_right(self._sentence_starts, position) - 1
        return max(self._sentence_starts[index], self.paragraphs[self.paragraph_of(position)][0])

    def sentence_end(self, position: int) -> int:
        """End of the sentence holding ``position`` (never past its paragraph)."""
        index = bisect.bisect_right(self._sentence_starts, position)
        end = self._sentence_starts[index] if index < len(self._sentence_starts) else len(self.text)
        return min(end, self.paragraphs[self.paragraph_of(position)][1])

    def inside_quote(self, position: int) -> bool:
        index = bisect.bisect_right(self._quoted, (position, float("inf"))) - 1
        return index >= 0 and self._quoted[index][0] <= position < self._quoted[index][1]

    def _mentions_between(self, start: int, end: int) -> list[Mention]:
        low = bisect.bisect_left(self._mention_starts, start)
        high = bisect.bisect_left(self._mention_starts, end)
        return [m for m in self.mentions[low:high] if m.end <= end]

    # -- people -------------------------------------------------------------------------------

    def _appositive_role(self, mention: Mention) -> str:
        """``Lavrov, Russia's foreign minister, said`` → "Russia's foreign minister"."""
        appositive = APPOSITIVE_RE.match(self.text, mention.end)
        if appositive and APPOSITIVE_ROLE_RE.fullmatch(appositive.group("text")):
            return re.sub(r"^(?:a|an|the) ", "", appositive.group("text"))
        return ""

    def _register_people(self, title: str) -> People:
        people = People()
        candidates = [(m, m.role or self._appositive_role(m)) for m in self.mentions]
        candidates += [(m, m.role) for m in find_mentions(title)]
        full_names = [(m, role) for m, role in candidates
                      if len(bare_tokens(m.name)) > 1 and not is_organisation(m.name)]
        # Longest first, so that "Le Drian" is read as part of "Jean-Yves Le Drian", not a name of its own.
        for mention, role in sorted(full_names, key=lambda c: -len(bare_tokens(c[0].name))):
            if not people.names_ending_with(mention.name):
                people.add(mention.name, role, gender_of(mention.honorific, role))
        for mention, role in candidates:  # "President Biden" gives Joe Biden his role
            full = people.full_name(mention.name)
            if full:
                people.add(full, role, gender_of(mention.honorific, role))
        return people

    def speaker_for(self, mention: Mention) -> Speaker:
        if is_organisation(mention.name):
            return Speaker(mention.name)
        # A titled mention ("Prince William") is never read as a first name ("William Shatner").
        full = self.people.full_name(mention.name, family_name_first=not (mention.role or mention.honorific))
        if full:
            role = mention.role or self.people.roles[full]
            gender = self.people.genders[full] or gender_of(mention.honorific, role)
            return Speaker(full, role, True, gender)
        # A surname shared by several people stays a bare surname: never guess between them.
        # A lone unknown word ("Apple", "Moscow") is no person unless a role or title says so.
        role = mention.role or self._appositive_role(mention)
        is_person = bool(role or mention.honorific or len(mention.name.split()) > 1
                         or self.people.names_ending_with(mention.name))
        return Speaker(mention.name, role, is_person, gender_of(mention.honorific, role))

    # -- subjects and pronouns ----------------------------------------------------------------

    def add_event(self, position: int, speaker: Speaker) -> None:
        if speaker.name:
            event = _Event(position, self.paragraph_of(position), speaker)
            bisect.insort(self.events, event, key=lambda e: e.position)

    def _is_subject_position(self, mention: Mention) -> bool:
        """Whether a mention looks like the subject of its clause: "Blinken agreed", "…, although
        Biden used", "British-Belgian national Mack Rutherford touched down"."""
        if POSSESSIVE_RE.match(self.text, mention.end) or not re.match(
                r",|\s+[a-z]", self.text[mention.end:mention.end + 2]):
            return False
        if LIST_GOES_ON_RE.match(self.text, mention.end) and not self._appositive_role(mention):
            return False  # one of a list of names, not "Frans Timmermans, EU climate chief, said"
        sentence_start = self.sentence_start(mention.start)
        before = re.sub(r"\b[Tt]he\s+$", "", self.text[sentence_start:mention.start]).rstrip()
        if not before or before[-1] in ".!?,;:—–(“”\"" or before.split()[-1].lower() in CLAUSE_OPENERS:
            return True
        # A descriptive lead-in ("British-Belgian national Mack Rutherford touched down"): the
        # sentence's first person, not the object of a preposition or of a verb ("Reporters met Doe").
        word_before = before.split()[-1].lower()
        looks_like_verb = word_before in COMMON_VERBS or re.search(r"(?:ed|[^s]s)$", word_before)
        earlier_mentions = self._mentions_between(sentence_start, mention.start)
        return (word_before not in PREPOSITIONS and not looks_like_verb and self.speaker_for(mention).is_person
                and not any(self.speaker_for(m).is_person for m in earlier_mentions))

    def resolve_pronoun(self, pronoun: str, position: int) -> Speaker:
        """He/she → the most recent person in subject position, within the last few paragraphs; ``pronoun``
        "" for a description that fits anyone ("the 24-year-old")."""
        pronoun = pronoun.lower()
        if pronoun not in ("he", "she", "it", ""):
            return NOBODY  # "they", "we", "I": a group or the writer
        oldest_paragraph = self.paragraph_of(position) - 3
        earlier = [e for e in self.events if e.position < position]
        recent = [e for e in earlier if e.paragraph >= oldest_paragraph]
        if pronoun == "it":
            return next((NOBODY if e.speaker.is_person else e.speaker for e in reversed(recent)), NOBODY)

        def fits(speaker: Speaker) -> bool:
            return speaker.is_person and speaker.gender in ("", PRONOUN_GENDER.get(pronoun, speaker.gender))

        # Failing a person as a subject there: a lone name acting as one ("Ulvaeus spoke … he said"), then the
        # last person those paragraphs name at all ("the play of Tiafoe") who was a subject before.
        subjects = {e.speaker.name for e in earlier if looks_like_person_name(e.speaker.name)}
        start = self.paragraphs[max(0, oldest_paragraph)][0]
        named = [self.speaker_for(m) for m in self._mentions_between(start, position) if not self.inside_quote(m.start)]
        people = [e for e in recent if fits(e.speaker)]
        # The last sentence naming someone: who speaks there, else its last subject ("Rolf claimed that Pike …")
        last = [e for e in people if self.sentence_start(e.position) == self.sentence_start(people[-1].position)]
        candidates = ([e.speaker for e in last if self._speaks(e)][:1] + [e.speaker for e in reversed(last)]
                      + [Speaker(e.speaker.name, is_person=True) for e in reversed(recent)
                         if self._lone_name_acting(e)]
                      + [speaker for speaker in reversed(named) if fits(speaker) and speaker.name in subjects])
        return candidates[0] if candidates else NOBODY

    def _speaks(self, event: _Event) -> bool:
        """Whether the event is a quote's speaker, or a name followed by a speech verb ("Rolf also claimed")."""
        mention = self._mention_at.get(event.position)
        return mention is None or bool(_SPEAKS_RE.match(self.text, mention.end))

    def _lone_name_acting(self, event: _Event) -> bool:
        """A one-word name that reads as a person's, right before its verb: "Halvorsen spoke", not
        "since Halvorsen in 1972"."""
        mention = self._mention_at.get(event.position)
        verb = mention and re.match(r"\s+([a-z]+)", self.text[mention.end:mention.end + 30])
        if not (verb and len(event.speaker.name.split()) == 1 and looks_like_person_name(event.speaker.name)
                and verb.group(1) not in PREPOSITIONS | CLAUSE_OPENERS):
            return False
        # a capital that is not only a sentence's first letter ("Heavy rain fell"): the word is a name
        return any(self.sentence_start(m.start) != m.start for m in self.mentions if m.name == mention.name)

    def _affiliated_person(self, place: Mention) -> Speaker | None:
        """"Sen. Jane Roe of Ohio": the person a place or organisation is attached to by "of", "from"."""
        for mention in self._mentions_between(max(0, place.start - 80), place.start):
            affiliation = _AFFILIATION_RE.match(self.text, mention.end, place.start)
            if affiliation and affiliation.end() == place.start and self.speaker_for(mention).is_person:
                return self.speaker_for(mention)
        return None

    def parse_subject(self, start: int, limit: int, whole: bool) -> tuple[Speaker, int] | None:
        """The speaker named at ``start`` and where that name ends, or None when nothing parses.

        ``whole``: the subject is everything up to ``limit`` (used for generic phrases).
        """
        lead = re.match(r"[\s,]*(?:(?:[Aa]nd|[Bb]ut|[Ss]o|[Tt]hen)\s+)?", self.text[start:limit]).end()
        start += lead
        rest = self.text[start:limit]
        if not rest:
            return None
        pronoun = PRONOUN_RE.match(rest)
        if pronoun and not re.match(r"[\w’'-]", rest[pronoun.end():pronoun.end() + 1]):
            return self.resolve_pronoun(pronoun.group(), start), start + pronoun.end()
        description = DEFINITE_DESCRIPTION_RE.match(rest)  # "the 24-year-old said", "said the Kenyan"
        if description:
            return self.resolve_pronoun("", start), start + description.end()
        article = re.match(r"[Tt]he\s+", rest)
        name_start = start + (article.end() if article else 0)
        if name_start not in self._mention_at:  # "D.C. Councilmember Mary Cheh", not "B.J. Thurlby"
            name_start += len(re.match(r"(?:(?:[A-Z]\.){2,3}[ ])?", self.text[name_start:limit]).group())
        mention = self._mention_at.get(name_start)
        described = None if mention else _DESCRIPTOR_RE.match(self.text, name_start, limit)
        descriptor_words = described.group().lower().replace(" and ", " ").split() if described else []
        if described and not set(descriptor_words) & _NOT_DESCRIPTORS:
            # "said shortstop Danny Mendick" / "winger Paul Arriola said": a lower-case role before the name
            # the mention may take in the descriptor's last words as its role ("retired teacher Nora Pell")
            mention = next((m for m in self._mentions_between(name_start, limit) if m.end > described.end()
                            and re.fullmatch(r"[a-z’' -]*", self.text[m.start:described.end()])), None)
            if mention and not self.speaker_for(mention).is_person:
                mention = None
        owner = mention and POSSESSIVE_RE.match(self.text, mention.end)
        owned = owner and self._mention_at.get(owner.end() + 1)
        if owned and self.speaker_for(owned).is_person:  # "Technomic’s Robert Byrne": the owner's person
            mention = owned
        first_word = rest.split()[0].lower()
        # "spokesperson Zhao Lijian said": a generic noun that is the named person's role is no generic subject
        named_role = bool(mention and mention.role and first_word in mention.role.lower().split())
        if mention and mention.end <= limit and (first_word not in GENERIC_NOUNS or named_role) \
                and not POSSESSIVE_RE.match(self.text, mention.end):
            end = mention.end
            affiliation = _AFFILIATION_RE.match(self.text, end, limit)
            organisation = affiliation and self._mention_at.get(affiliation.end())
            if organisation and organisation.end <= limit and is_organisation(organisation.name) \
                    and self.speaker_for(mention).is_person:
                end = organisation.end
            appositive = APPOSITIVE_RE.match(self.text, end, limit)
            if appositive:
                end = appositive.end() + (self.text[appositive.end():appositive.end() + 1] == ",")
            joint = JOINT_SUBJECT_RE.match(self.text, mention.end, limit)
            if joint:
                return NOBODY, joint.end()  # "Blinken and Lavrov said": no one person's words
            return self.speaker_for(mention), end
        acronym = ACRONYM_RE.match(rest)  # "the FDA said", "according to WHO": an organisation
        if acronym and acronym.group(1).lower() not in NATION_OF and not re.fullmatch(ROLE_CORE, acronym.group(1)):
            return Speaker(acronym.group(1)), start + acronym.end()
        if article:
            role = re.match(rf"(?:[\w.’']+[ ]){{0,2}}?{ROLE_CORE}\b", self.text[name_start:limit])
            if role and not re.match(r"\s*\w", self.text[name_start + role.end():limit]):
                return self._person_with_role(role.group()), name_start + role.end()
        phrase = rest if whole else re.match(r"[^,.;!?—–]*", rest).group().rstrip()
        if whole:  # "his father, Eric Oakes": a short description, then the name in apposition
            described = re.match(r"[^,]{1,40},\s*", rest)
            named = described and self._mention_at.get(start + described.end())
            if named and named.end == limit and self.speaker_for(named).is_person:
                return self.speaker_for(named), limit
        if self._looks_generic(phrase):
            return self._organisation_in(start, start + len(phrase)), start + len(phrase)
        return None

    def _person_with_role(self, role_phrase: str) -> Speaker:
        """"the secretary of state" → the one person the article gives that role, else nobody."""
        name = self.people.with_role(role_phrase)
        if name is None:
            return NOBODY
        return Speaker(name, self.people.roles[name], True, self.people.genders[name])

    @staticmethod
    def _looks_generic(phrase: str) -> bool:
        """"officials", "the ministry", "a spokesperson for the company": an unnamed speaker."""
        words = [w.lower().strip(",") for w in phrase.split()]
        if not 1 <= len(words) <= 8 or SPEECH_VERB_RE.search(phrase):
            return False
        if any(w in {"he", "she", "it", "they", "we", "i", "who", "which"} for w in words):
            return False
        return words[0] in DETERMINERS or any(w in GENERIC_NOUNS for w in words)

    def _organisation_in(self, start: int, end: int) -> Speaker:
        """"a State Department spokesperson" → State Department; persons inside never speak here."""
        for mention in self._mentions_between(start, end):
            if is_organisation(mention.name):
                return Speaker(mention.name)
        return NOBODY

    def sole_subject(self, start: int, end: int) -> Speaker | None:
        """The one person the words from ``start`` to ``end`` (a sentence's, up to a quotation in it) name,
        as their subject: "US Attorney Stephanie Hinds thanked jurors for", "He believes the crisis is a";
        None when they name no person, or more than one, or the person only as an object."""
        lead = re.match(r"(?:[^,“”\"]{0,80},\s+)?", self.text[start:end]).end()  # "In a statement Thursday, "
        pronoun = PRONOUN_RE.match(self.text, start + lead, end)
        if pronoun and not re.match(r"[\w’'-]", self.text[pronoun.end():pronoun.end() + 1]):
            speaker = self.resolve_pronoun(pronoun.group(), start + lead)
            return speaker if speaker.is_person and speaker.name else None
        mentions = [m for m in self._mentions_between(start, end) if not self.inside_quote(m.start)]
        people = [m for m in mentions if self.speaker_for(m).is_person]
        if not people or len({self.speaker_for(m).name for m in people}) > 1:
            return None
        speaker = self.speaker_for(people[0])
        # "The Latin American state has been described by Reuters as": a people's adjective is no subject
        return speaker if self._is_subject_position(people[0]) and looks_like_person_name(speaker.name) else None

    def subject_before_verb(self, region_start: int, verb_start: int) -> Speaker | None:
        """Who is the subject of the speech verb at ``verb_start``, looking back to ``region_start``."""
        region = self.text[region_start:verb_start]
        phrase_end = region_start + len(region) - len(TRAILING_FILLERS_RE.search(region).group())
        mentions = self._mentions_between(region_start, phrase_end)
        for mention in reversed(mentions):  # "Brown, Chicago's superintendent of police, said"
            appositive = APPOSITIVE_RE.match(self.text, mention.end, verb_start)
            if appositive and re.fullmatch(rf",(?:\s+{FILLER})*\s*", self.text[appositive.end():verb_start]):
                return self._affiliated_person(mention) or self.speaker_for(mention)
        phrase_start = max(region_start, self.text.rfind(",", region_start, phrase_end) + 1)
        if phrase_start < phrase_end:  # the words right before the verb: "Blinken said", "he told"
            parsed = self.parse_subject(phrase_start, phrase_end, whole=True)
            if parsed and not self.text[parsed[1]:phrase_end].strip(" ,"):
                return parsed[0]
        for mention in mentions:
            speaker = self.speaker_for(mention)
            # Lone unknown words ("Chicago", "Reporters") are too often not the speaker.
            if (speaker.is_person or is_organisation(mention.name)) and self._is_subject_position(mention):
                if re.match(r"\s+(?:and|&)\s", self.text[mention.end:verb_start]):
                    return NOBODY  # "Blinken and Lavrov said": a joint statement
                return speaker
        parsed = self.parse_subject(region_start, verb_start, whole=False)
        return parsed[0] if parsed else None
