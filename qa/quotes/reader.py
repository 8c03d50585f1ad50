"""Reading one article for find_quotes: the speaker that the words around a quotation name ("Blinken
said", "said the 24-year-old", "a State Department spokesperson told"), for the attribution rules to look up.
ArticleReader builds on qa.quotes.subjects (who the article's people are, who is the subject where) and
qa.quotes.layout (where its paragraphs, sentences, quotations and mentions are)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from qa.quotes.lexicon import (
    APPOSITIVE_RE,
    CLAUSE_OPENERS,
    ACRONYM_RE,
    DEFINITE_DESCRIPTION_RE,
    DETERMINERS,
    FILLER,
    GENERIC_NOUNS,
    JOINT_SUBJECT_RE,
    NATION_OF,
    ORGANISATION_DESCRIPTION_RE,
    PLACE_WORDS,
    POSSESSIVE_RE,
    PREPOSITIONS,
    PRONOUN_RE,
    ROLE_CORE,
    SPEECH_VERB_RE,
    SPOKESPERSON_RE,
    TRAILING_FILLERS_RE,
)
from qa.quotes.people import NOBODY, Speaker, bare_tokens, gender_of, is_organisation, role_matches
from qa.quotes.speakers import looks_like_person_name
from qa.quotes.subjects import ArticleSubjects

if TYPE_CHECKING:
    from qa.quotes.people import Mention


_DESCRIPTOR_RE = re.compile(  # "winger Paul Arriola", "NRF president and CEO Matthew Shay"
    r"(?:[A-Z][A-Z&]{1,5}[ ])?(?:[a-z][a-z’'-]+[ ]){1,3}(?:and[ ](?:[a-z][a-z’'-]+[ ]|[A-Z]{2,5}[ ]){1,3})?(?=[A-Z])")
# "Jane Doe of the Sierra Club said": the organisation a named person speaks for, part of the subject.
_AFFILIATION_RE = re.compile(r"[ ]+(?:of|from|at|with)[ ]+(?:the[ ]+)?")
# Who or what speaks for an organisation without a name: its words are the organisation's.
_VOICE_RE = re.compile(rf"{SPOKESPERSON_RE.pattern}|\b(?:spokespeople|blog|website|statement)\b")
_LONE_SPOKESPERSON_RE = re.compile(rf"(?:an?|the)[ ]+{SPOKESPERSON_RE.pattern}(?=[ ]*(?:[,.;]|$))")
_FOR_WHOM_RE = re.compile(r"(?:[ ]+(?:for|from|of)[ ]+(?:the[ ]+)?[A-Z][\w&.’'-]*(?:[ ][A-Z&][\w&.’'-]*)*)?")
_ACRONYM_WORD_RE = re.compile(r"\b[A-Z][A-Z&]{1,5}\b")
# After a person's possessive: what speaks for them ("Beshear’s office"), and what is their own words.
_OFFICE_RE = re.compile(r"[ ]+(office|campaign)\b")
_WRITING_RE = re.compile(r"[ ]+(?:statement|tweet|post|letter|email)\b")
_OWNER_RE = re.compile(r"(?:[Hh]is|[Hh]er|[Tt]heir)[ ]+|")
_DESCRIBED_RE = re.compile(rf",\s+[^“”\";.!?]{{3,200}},(?:\s+{FILLER})*\s*")
_INITIALS_AFTER_RE = re.compile(r"[ ]+([A-Z][A-Z&]{1,5})\b(?![’'.-])")
_NOT_DESCRIPTORS = DETERMINERS | PREPOSITIONS | CLAUSE_OPENERS | {"said", "says", "told", "added", "wrote"}
# "London engineer", "Lakeshore founder, president and executive producer", "Billboard senior director of
# music": words that describe the person named right after them
_TITLE_WORDS_RE = re.compile(r"(?:[\w’'&.-]+,?[ ]+)+")
_NOT_TITLE_WORDS = (_NOT_DESCRIPTORS - {"of", "and", "senior", "top"}) | set(
    "he she it they we i is was are were has had have will would not".split())


class ArticleReader(ArticleSubjects):
    """Everything find_quotes needs to know about one article, computed once."""

    def _affiliated_person(self, place: Mention) -> Speaker | None:
        """"Sen. Jane Roe of Ohio": the person a place or organisation is attached to by "of", "from"."""
        for mention in self.mentions_between(max(0, place.start - 80), place.start):
            affiliation = _AFFILIATION_RE.match(self.text, mention.end, place.start)
            if affiliation and affiliation.end() == place.start and self.speaker_for(mention).is_person:
                return self.speaker_for(mention)
        return None

    def parse_subject(self, start: int, limit: int, whole: bool) -> tuple[Speaker, int] | None:
        """The speaker named at ``start`` and where that name ends, or None when nothing parses.

        ``whole``: the subject is everything up to ``limit`` (used for generic phrases).
        """
        # "…, who the White House says will provide “…”": the subject of a relative clause, when it is the whole
        relative = r"(?:(?:who|which)\s+)?" if whole else ""
        lead = re.match(r"[\s,]*(?:(?:[Aa]nd|[Bb]ut|[Ss]o|[Tt]hen)\s+)?" + relative, self.text[start:limit]).end()
        start += lead
        rest = self.text[start:limit]
        if not rest:
            return None
        pronoun = PRONOUN_RE.match(rest)
        if pronoun and not re.match(r"[\w’'-]", rest[pronoun.end():pronoun.end() + 1]):
            quoted = self.quote_right_before(start)
            return self.resolve_pronoun(pronoun.group(), start, quoted), start + pronoun.end()
        description = DEFINITE_DESCRIPTION_RE.match(rest)  # "the 24-year-old said", "said the Kenyan"
        if description:
            return self.resolve_pronoun("", start), start + description.end()
        spokesperson = _LONE_SPOKESPERSON_RE.match(rest)
        named_before = spokesperson and self._spokesperson_named_before(start)
        if named_before:  # "A Twitter spokesperson said … “…,” the spokesperson said"
            return named_before, start + spokesperson.end()
        # "the company said", "“…,” said a representative": the organisation last named as a subject
        organisation = ORGANISATION_DESCRIPTION_RE.match(rest) or spokesperson
        antecedent = self.resolve_pronoun("it", start) if organisation else NOBODY
        if organisation and self._names_organisation(antecedent.name):
            return antecedent, start + organisation.end()
        article = re.match(r"[Tt]he\s+", rest)
        name_start = start + (article.end() if article else 0)
        if name_start not in self.mention_at:  # "D.C. Councilmember Mary Cheh", not "B.J. Thurlby"
            name_start += len(re.match(r"(?:(?:[A-Z]\.){2,3}[ ])?", self.text[name_start:limit]).group())
        mention = self.mention_at.get(name_start)
        if not mention or re.match(r"[ ]+[a-z]", self.text[mention.end:limit]):
            titled = self._titled_person(name_start, limit, whole)
            if titled:
                return titled
        described = None if mention else _DESCRIPTOR_RE.match(self.text, name_start, limit)
        descriptor_words = described.group().lower().replace(" and ", " ").split() if described else []
        if described and not set(descriptor_words) & _NOT_DESCRIPTORS:
            # "said shortstop Danny Mendick" / "winger Paul Arriola said": a lower-case role before the name
            # the mention may take in the descriptor's last words as its role ("retired teacher Nora Pell")
            mention = next((m for m in self.mentions_between(name_start, limit) if m.end > described.end()
                            and re.fullmatch(r"[a-z’' -]*", self.text[m.start:described.end()])), None)
            if mention and not self.speaker_for(mention).is_person:
                mention = None
        owner = mention and POSSESSIVE_RE.match(self.text, mention.end)
        owned = owner and self.mention_at.get(owner.end() + 1)
        if owned and self.speaker_for(owned).is_person:  # "Technomic’s Robert Byrne": the owner's person
            mention = owned
        office = owner and _OFFICE_RE.match(self.text, owner.end(), limit)
        if office and self.speaker_for(mention).is_person:  # "Beshear’s office said": no one person's words
            return Speaker(f"{self.speaker_for(mention).name}'s {office.group(1)}"), office.end()
        writing = owner and _WRITING_RE.match(self.text, owner.end(), limit)
        if writing and self.speaker_for(mention).is_person:  # "Biden’s statement said": his own words
            return self.speaker_for(mention), writing.end()
        first_word = rest.split()[0].lower()
        # "spokesperson Zhao Lijian said": a generic noun that is the named person's role is no generic subject
        named_role = bool(mention and mention.role and first_word in mention.role.lower().split())
        if mention and mention.end <= limit and (first_word not in GENERIC_NOUNS or named_role) \
                and not POSSESSIVE_RE.match(self.text, mention.end):
            end = mention.end
            affiliation = _AFFILIATION_RE.match(self.text, end, limit)
            organisation = affiliation and self.mention_at.get(affiliation.end())
            if organisation and organisation.end <= limit and is_organisation(organisation.name) \
                    and self.speaker_for(mention).is_person:
                end = organisation.end
            appositive = APPOSITIVE_RE.match(self.text, end, limit)
            if appositive:
                end = appositive.end() + (self.text[appositive.end():appositive.end() + 1] == ",")
            joint = JOINT_SUBJECT_RE.match(self.text, mention.end, limit)
            if joint:
                return NOBODY, joint.end()  # "Blinken and Lavrov said": no one person's words
            initials = _INITIALS_AFTER_RE.match(self.text, mention.end, limit)
            if initials and mention.name in PLACE_WORDS:  # "the Iowa DNR wrote": the place's agency
                return Speaker(f"{mention.name} {initials.group(1)}"), initials.end()
            return self.speaker_for(mention), end
        acronym = ACRONYM_RE.match(rest)  # "the FDA said", "according to WHO": an organisation
        if acronym and acronym.group(1).lower() not in NATION_OF and not re.fullmatch(ROLE_CORE, acronym.group(1)):
            return Speaker(acronym.group(1)), start + acronym.end()
        if article:
            role = re.match(rf"(?:[\w.’']+[ ]){{0,2}}?{ROLE_CORE}\b", self.text[name_start:limit])
            if role and not re.match(r"\s*\w", self.text[name_start + role.end():limit]):
                return self._person_with_role(role.group(), start), name_start + role.end()
        phrase = rest if whole else re.match(r"[^,.;!?—–]*", rest).group().rstrip()
        if whole:  # "his father, Eric Oakes": a short description, then the name in apposition
            described = re.match(r"[^,]{1,40},\s*", rest)
            named = described and self.mention_at.get(start + described.end())
            if named and named.end == limit and self.speaker_for(named).is_person:
                return self.speaker_for(named), limit
        if self._looks_generic(phrase):
            return self._organisation_in(start, start + len(phrase)), start + len(phrase)
        return None

    def _titled_person(self, start: int, limit: int, whole: bool) -> tuple[Speaker, int] | None:
        """"said London engineer Matt Stockdale", "Billboard senior director of music Jason Lipshutz told":
        the first person named by two names or more after words that describe them, where the subject ends."""
        for mention in self.mentions_between(start + 1, min(limit, start + 120)):
            speaker = self.speaker_for(mention)
            if not speaker.is_person or len(speaker.name.split()) < 2:
                continue
            words = self.text[start:mention.start]
            # "his attorney Charles Burnham said": a role the person holds for someone named before
            owner = _OWNER_RE.match(words).group()
            words = words[len(owner):]
            listed = words.split()[-1:] in (["and"], ["&"], ["of"]) and not mention.role  # "Blinken and Lavrov said"
            if listed or not (words or owner and mention.role) or words and not _TITLE_WORDS_RE.fullmatch(words) \
                    or {w.strip(",").lower() for w in words.split()} & _NOT_TITLE_WORDS:
                return None
            after = self.text[mention.end:limit]
            # "said commentator Jo Doe of the runoff": what follows "of" is no part of the name
            ends = not after.strip(" ,") if whole else re.match(r"[ ]*(?:[,.;:!?)—–]|$)|[ ]+of[ ]", after)
            return (speaker, mention.end) if ends else None
        return None

    def _spokesperson_named_before(self, position: int) -> Speaker | None:
        """For "the spokesperson", who the last spokesperson named in this paragraph or the one before speaks
        for ("a Twitter spokesperson", "a spokesman for Bloomberg": nobody's but Twitter's, the person's
        aide's); None when there is none."""
        start = self.paragraphs[max(0, self.paragraph_of(position) - 1)][0]
        earlier = [m for m in SPOKESPERSON_RE.finditer(self.text, start, position)
                   if not self.inside_quote(m.start())]
        if not earlier:
            return None
        phrase_end = _FOR_WHOM_RE.match(self.text, earlier[-1].end()).end()
        return self._organisation_in(self.sentence_start(earlier[-1].start()), phrase_end)

    def _names_organisation(self, name: str) -> bool:
        """Whether a name that is no person's reads as an organisation's: not a place ("Missouri"), and
        capitalised somewhere other than at a sentence's start ("Meet the 2019 Jaguar")."""
        return bool(name) and name not in PLACE_WORDS and (is_organisation(name) or any(
            m.name == name and self.sentence_start(m.start) != m.start for m in self.mentions))

    def _person_with_role(self, role_phrase: str, position: int) -> Speaker:
        """"the secretary of state" → the one person the article gives that role, else nobody. Failing a full
        name, the one name titled so before ``position`` ("Pope Francis' comments … the Pope told")."""
        names = [name for name, role in self.people.roles.items() if role and role_matches(role_phrase, role)]
        if len(names) == 1:
            return Speaker(names[0], self.people.roles[names[0]], True, self.people.genders[names[0]])
        titled: dict[str, Mention] = {}  # "Queen Elizabeth II" and "Queen Elizabeth" are one person
        for mention in self.mentions:
            if mention.start < position and len(bare_tokens(mention.name)) == 1 and mention.role \
                    and role_matches(role_phrase, mention.role) and not self.inside_quote(mention.start):
                titled.setdefault(bare_tokens(mention.name)[0], mention)
        if names or len(titled) != 1:
            return NOBODY
        mention = next(iter(titled.values()))
        return Speaker(mention.name, mention.role, True, gender_of(mention.honorific, mention.role))

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
        """"a State Department spokesperson" → State Department; persons inside never speak here. A name that
        is no known organisation's speaks only through its voice: "a spokesperson for Novartis", "a KFC
        spokesperson", "a FEMA blog post"."""
        for mention in self.mentions_between(start, end):
            if is_organisation(mention.name):
                return Speaker(mention.name)
        voice = _VOICE_RE.search(self.text, start, end)
        if not voice:
            return NOBODY
        names = [(m.start, m.end, m.name) for m in self.mentions_between(start, end)
                 if not self.speaker_for(m).is_person]
        names += [(a.start(), a.end(), a.group()) for a in _ACRONYM_WORD_RE.finditer(self.text, start, end)
                  if a.group().lower() not in NATION_OF]
        for name_start, name_end, name in sorted(names):
            before = name_start > start and name_end <= voice.start()  # "a KFC spokesperson"
            after = re.fullmatch(r"\s+(?:for|from|of)\s+(?:the\s+)?", self.text[voice.end():name_start]) \
                and not self.text[name_end:end].strip()  # "a spokesperson for Novartis"
            if before or after:
                return Speaker(name)
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
        mentions = [m for m in self.mentions_between(start, end) if not self.inside_quote(m.start)]
        people = [m for m in mentions if self.speaker_for(m).is_person]
        if not people or len({self.speaker_for(m).name for m in people}) > 1:
            return None
        speaker = self.speaker_for(people[0])
        # "The Latin American state has been described by Reuters as": a people's adjective is no subject
        return speaker if self.is_subject_position(people[0]) and looks_like_person_name(speaker.name) else None

    def subject_described_at_length(self, start: int, verb_start: int) -> Speaker | None:
        """A person named where a clause starts and described, at any length, up to the comma before the verb
        at ``verb_start``: "…,” Dr. Jane Roe, a researcher on the study and medical director of the trust's
        blood service, said"; "…” with caveats, Dr. Jo Doe, a professor at State University, Portland, told"."""
        for mention in self.mentions_between(start, verb_start):
            if not re.fullmatch(r"[\s,”\"]*|.*,\s+", self.text[start:mention.start], re.S) \
                    or self.inside_quote(mention.start):
                continue
            described = _DESCRIBED_RE.fullmatch(self.text, mention.end, verb_start)
            speaker = self.speaker_for(mention)
            # not "Jo Doe, a former official, and Al Roe, a lawyer, wrote": a joint statement
            if described and speaker.is_person and speaker.name and not SPEECH_VERB_RE.search(described.group()) \
                    and not re.search(r",\s+and\s+[A-Z]", described.group()):
                return speaker
        return None

    def subject_right_before(self, region_start: int, verb_start: int) -> Speaker | None:
        """The subject of the verb at ``verb_start`` only where it stands right before it: "Biden called",
        "Tim Bale, a professor at Queen Mary, described", "King, who called"."""
        relative = re.search(r",[ ]+who[ ]+(?:[a-z]+ly[ ]+)?$", self.text[region_start:verb_start])
        if relative:
            mention = next((m for m in self.mentions_between(region_start, verb_start)
                            if m.end == region_start + relative.start()), None)
            return self.speaker_for(mention) if mention else None
        return self.subject_before_verb(region_start, verb_start, adjacent=True)

    def subject_before_verb(self, region_start: int, verb_start: int, adjacent: bool = False) -> Speaker | None:
        """Who is the subject of the speech verb at ``verb_start``, looking back to ``region_start``."""
        region = self.text[region_start:verb_start]
        phrase_end = region_start + len(region) - len(TRAILING_FILLERS_RE.search(region).group())
        mentions = self.mentions_between(region_start, phrase_end)
        for mention in reversed(mentions):  # "Brown, Chicago's superintendent of police, said"
            appositive = APPOSITIVE_RE.match(self.text, mention.end, verb_start)
            if appositive and re.fullmatch(rf",(?:\s+{FILLER})*\s*", self.text[appositive.end():verb_start]):
                return self._affiliated_person(mention) or self.speaker_for(mention)
        phrase_start = max(region_start, self.text.rfind(",", region_start, phrase_end) + 1)
        if phrase_start < phrase_end:  # the words right before the verb: "Blinken said", "he told"
            parsed = self.parse_subject(phrase_start, phrase_end, whole=True)
            if parsed and not self.text[parsed[1]:phrase_end].strip(" ,"):
                return parsed[0]
        if adjacent:
            return None
        for mention in mentions:
            speaker = self.speaker_for(mention)
            # Lone unknown words ("Chicago", "Reporters") are too often not the speaker.
            if (speaker.is_person or is_organisation(mention.name)) and self.is_subject_position(mention):
                if re.match(r"\s+(?:and|&)\s", self.text[mention.end:verb_start]):
                    return NOBODY  # "Blinken and Lavrov said": a joint statement
                return speaker
        parsed = self.parse_subject(region_start, verb_start, whole=False)
        return parsed[0] if parsed else None
