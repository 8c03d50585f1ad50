"""Who is who and who is the subject where in one article, for find_quotes: the people its mentions name
(full names, roles, genders), the sentences' subjects in order, and the pronoun or description ("he", "the
24-year-old") that refers back to one of them."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qa.quotes.layout import ArticleLayout
from qa.quotes.lexicon import (
    APPOSITIVE_RE,
    APPOSITIVE_ROLE_RE,
    CLAUSE_OPENERS,
    COMMON_VERBS,
    FILLER,
    LIST_GOES_ON_RE,
    POSSESSIVE_RE,
    PREPOSITIONS,
    PRONOUN_GENDER,
    SPEECH_VERB_RE,
)
from qa.quotes.people import NOBODY, People, Speaker, bare_tokens, find_mentions, gender_of, is_organisation
from qa.quotes.speakers import looks_like_person_name

if TYPE_CHECKING:
    from qa.quotes.people import Mention
    from qa.types import Article


@dataclass(frozen=True)
class _Event:
    """Someone became the subject of a sentence, or a speaker, at ``position``."""

    position: int
    paragraph: int
    speaker: Speaker


_PARENTHETICAL_SPEAKER_RE = re.compile(rf",[ ]+(?:he|she|they)(?:[ ]+{FILLER})*[ ]+{SPEECH_VERB_RE.pattern}")
_RELATIVE_CLAUSE_RE = re.compile(r",[ ]+who[ ]+[a-z]")
_SPEAKS_RE = re.compile(rf"(?:,[^,]{{1,80}},)?(?:\s+{FILLER})*\s+{SPEECH_VERB_RE.pattern}")


class ArticleSubjects(ArticleLayout):
    """Who each mention of one article is, and who is the subject where, computed once."""

    def __init__(self, article: Article) -> None:
        super().__init__(article)
        self.people = self._register_people(article.title)
        self._first_named: dict[str, int] = {}  # a full name → where the text first names the person by it
        for mention in reversed(self.mentions):
            if mention.name in self.people.roles:
                self._first_named[mention.name] = mention.start
        self.events: list[_Event] = []
        for mention in self.mentions:
            # "President Joe Biden, she said in a statement, is not a close contact": "she" is someone else
            if not self.inside_quote(mention.start) and self.paragraph_of(mention.start) not in self.captions \
                    and self.is_subject_position(mention) \
                    and not _PARENTHETICAL_SPEAKER_RE.match(self.text, mention.end):
                self.add_event(mention.start, self.speaker_for(mention))

    # -- people -------------------------------------------------------------------------------

    def _appositive_role(self, mention: Mention) -> str:
        """``Lavrov, Russia's foreign minister, said`` → "Russia's foreign minister"."""
        appositive = APPOSITIVE_RE.match(self.text, mention.end)
        if appositive and APPOSITIVE_ROLE_RE.fullmatch(appositive.group("text")):
            return re.sub(r"^(?:a|an|the) ", "", appositive.group("text"))
        return ""

    def _register_people(self, title: str) -> People:
        people = People()
        # "the Billboard Hot 100": a name followed by a number is no person's
        candidates = [(m, m.role or self._appositive_role(m)) for m in self.mentions
                      if not re.match(r"[ ]\d", self.text[m.end:m.end + 2])]
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
        if not full:
            # "Frances Tiafoe … Tiafoe … his father, Constant Tiafoe": the one so named before this mention
            earlier = [name for name in self.people.names_ending_with(mention.name)
                       if self._first_named.get(name, len(self.text)) < mention.start]
            full = earlier[0] if len(earlier) == 1 else None
        if full:
            role = mention.role or self.people.roles[full]
            gender = self.people.genders[full] or gender_of(mention.honorific, role)
            return Speaker(full, role, True, gender)
        # A surname shared by several people named before it stays a bare surname: never guess between them.
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

    def is_subject_position(self, mention: Mention) -> bool:
        """Whether a mention looks like the subject of its clause: "Blinken agreed", "…, although
        Biden used", "British-Belgian national Mack Rutherford touched down", or of a relative clause: "users,
        including author Jo Doe, who has a million followers"."""
        if _RELATIVE_CLAUSE_RE.match(self.text, mention.end) and self.speaker_for(mention).is_person:
            return True
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
        earlier_mentions = self.mentions_between(sentence_start, mention.start)
        return (word_before not in PREPOSITIONS and not looks_like_verb and self.speaker_for(mention).is_person
                and not any(self.speaker_for(m).is_person for m in earlier_mentions))

    def resolve_pronoun(self, pronoun: str, position: int, quoted: str = "") -> Speaker:
        """He/she → the most recent person in subject position, within the last few paragraphs; ``pronoun``
        "" for a description that fits anyone ("the 24-year-old"). Never a person the words ``quoted`` (the
        quotation the pronoun attributes) name by family name: “We work with brother bin Laden,” he said."""
        pronoun = pronoun.lower()
        if pronoun not in ("he", "she", "it", ""):
            return NOBODY  # "they", "we", "I": a group or the writer
        oldest_paragraph = self.paragraph_of(position) - 3
        earlier = [e for e in self.events if e.position < position]
        recent = [e for e in earlier if e.paragraph >= oldest_paragraph]
        if pronoun == "it":
            return next((NOBODY if e.speaker.is_person else e.speaker for e in reversed(recent)), NOBODY)

        def fits(speaker: Speaker) -> bool:
            return speaker.is_person and speaker.gender in ("", PRONOUN_GENDER.get(pronoun, speaker.gender)) \
                and not _names_in(speaker.name, quoted)

        # Failing a person as a subject there: a lone name acting as one ("Ulvaeus spoke … he said"), then the
        # last person those paragraphs name at all ("the play of Tiafoe") who was a subject before.
        subjects = {e.speaker.name for e in earlier if looks_like_person_name(e.speaker.name)}
        start = self.paragraphs[max(0, oldest_paragraph)][0]
        named = [self.speaker_for(m) for m in self.mentions_between(start, position) if not self.inside_quote(m.start)]
        people = [e for e in recent if fits(e.speaker)]
        # The last sentence naming someone: who speaks there, else its last subject ("Rolf claimed that Pike …")
        last = [e for e in people if self.sentence_start(e.position) == self.sentence_start(people[-1].position)]
        candidates = ([e.speaker for e in last if self._speaks(e)][:1] + [e.speaker for e in reversed(last)]
                      + [Speaker(e.speaker.name, is_person=True) for e in reversed(recent)
                         if self._lone_name_acting(e) and not _names_in(e.speaker.name, quoted)]
                      + [speaker for speaker in reversed(named) if fits(speaker) and speaker.name in subjects])
        if not candidates:
            return NOBODY
        # A description ("the senior said") is the last subject that reads as a person, whoever that is: when
        # it is a name this article does not make a person ("Clayton Day", "Day" of "Labor Day"), nobody.
        person_like = [e for e in recent if e.speaker.is_person or looks_like_person_name(e.speaker.name)]
        if not pronoun and person_like and person_like[-1].speaker.name != candidates[0].name:
            return NOBODY
        return candidates[0]

    def _speaks(self, event: _Event) -> bool:
        """Whether the event is a quote's speaker, or a name followed by a speech verb ("Rolf also claimed")."""
        mention = self.mention_at.get(event.position)
        return mention is None or bool(_SPEAKS_RE.match(self.text, mention.end))

    def _lone_name_acting(self, event: _Event) -> bool:
        """A one-word name that reads as a person's, right before its verb: "Halvorsen spoke", not
        "since Halvorsen in 1972"."""
        mention = self.mention_at.get(event.position)
        verb = mention and re.match(r"\s+([a-z]+)", self.text[mention.end:mention.end + 30])
        if not (verb and len(event.speaker.name.split()) == 1 and looks_like_person_name(event.speaker.name)
                and verb.group(1) not in PREPOSITIONS | CLAUSE_OPENERS):
            return False
        # a capital that is not only a sentence's first letter ("Heavy rain fell"): the word is a name
        return any(self.sentence_start(m.start) != m.start for m in self.mentions if m.name == mention.name)


def _names_in(name: str, quoted: str) -> bool:
    """Whether ``quoted`` names the person ``name`` by their family name, as someone else would."""
    family = bare_tokens(name)[-1:] if name else []
    return bool(family and quoted and re.search(rf"(?<!\w){re.escape(family[0])}\b", quoted))
