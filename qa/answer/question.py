"""A question as asked and as read: follow-ups in a chat rewritten into standalone questions by rules (no
language model), and a "what did X say about Y" question read into its speaker and topic once.

The earlier user turns are resolved in order, each against the one before, so chains work:

    what did Blinken say about Article 5?   →  (Blinken, Article 5)
    And what did he say about sanctions?    →  what did Blinken say about sanctions?
    what about Lavrov?                      →  what did Lavrov say about sanctions?   (a person: keeps the topic)
    what about NATO?                        →  what did Lavrov say about NATO?        (not a person: keeps the speaker)

Other questions get pronouns for people replaced by the last person named ("When did he resign?"), and
elliptical ones ("what about X?", "and X?") or ones leaning on "it"/"that" carry the previous question along
as context for retrieval.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, NamedTuple, Sequence

from qa.quotes.speakers import looks_like_person_name, names_a_role, parse_say_question, parse_timeline_question

if TYPE_CHECKING:
    from qa.index import Index

Turn = tuple[str, str]  # (user question, assistant answer)
SpeakerTest = Callable[[str], bool]

_LEAD_WORDS = re.compile(r"^(?:(?:and|so|ok|okay|also|then|but|now)\b[,]?\s*)+", re.IGNORECASE)
_ELLIPSIS = re.compile(r"^(?:(?:what|how)\s+about|and)\s+(?P<subject>[^?]+?)\s*\??$", re.IGNORECASE)
_PERSON_PRONOUNS = {"he", "she", "him", "her", "they", "them"}
_THING_PRONOUNS = {"it", "that", "this", "those", "these", "them"}
_PRONOUN_SUBJECT = re.compile(r"\b(?P<pronoun>he|she|him|his|her|hers)\b", re.IGNORECASE)
_REFERS_BACK = re.compile(r"\b(?:it|its|that|this|they|them|their|there)\b", re.IGNORECASE)
_CAPITALISED_RUN = re.compile(r"(?<=\s)[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*")  # not the question's first word


def looks_like_speaker(phrase: str) -> bool:
    """Whether "what about PHRASE?" names a person (a new speaker) rather than a new topic."""
    return looks_like_person_name(phrase) or names_a_role(phrase)


def speaker_test(index: Index) -> SpeakerTest:
    """Whether "what about X?" names a speaker: a person's name or role, or someone the index quotes."""
    def is_speaker(phrase: str) -> bool:
        return looks_like_speaker(phrase) or (not phrase.isupper() and bool(index.quotes(phrase)))

    return is_speaker


class Said(NamedTuple):
    """What a "what did X say about Y" question asks for, as parse_say_question reads it."""

    speaker: str  # as the question names them: "Blinken", "secretary of state"
    topic: str  # "" for "what did Blinken say?"
    timeline: bool = False  # "what has Blinken said about …?": everything, in order, not the one best quote


@dataclass(frozen=True)
class Question:
    """A question read once: the follow-up resolved, and a say question's speaker and topic taken apart."""

    asked: str  # as asked
    standalone: str  # as read: without the conversation before it, spacing normalised
    said: Said | None = None  # for "what did X say about Y" questions

    @classmethod
    def read(
        cls, asked: str, history: Sequence[Turn] = (), *, is_speaker: SpeakerTest = looks_like_speaker
    ) -> Question:
        """``asked`` as it would be asked without ``history`` ((question, answer) pairs, oldest first)."""
        context: _Context | None = None
        for user_turn, _ in history:
            if user_turn and user_turn.strip():
                context = _context_of(_resolve(user_turn, context, is_speaker), context)
        return _resolve(asked, context, is_speaker)

    @property
    def rewritten(self) -> bool:
        """Whether the conversation changed the question (the answer then says how it was read)."""
        return self.standalone != " ".join(self.asked.split())


@dataclass(frozen=True)
class _Context:
    question: str  # the previous question, standalone
    said: Said | None  # whom it asked about, for "what did X say about Y" questions
    person: str | None  # the last person named, for "he"/"she"


def _resolve(asked: str, context: _Context | None, is_speaker: SpeakerTest) -> Question:
    question = " ".join(asked.split())
    if context is None:
        return _read(asked, question)
    bare = _LEAD_WORDS.sub("", question).strip()
    said = parse_timeline_question(bare) or parse_say_question(bare)
    ellipsis = _ELLIPSIS.match(bare)
    if ellipsis and not said:
        return _resolve_ellipsis(asked, ellipsis.group("subject"), context, is_speaker)
    if said:
        return _resolve_say(asked, Said(*said, timeline=parse_timeline_question(bare) is not None), context)
    return Question(asked, _resolve_pronouns(bare, context))


def _read(asked: str, question: str) -> Question:
    timeline = parse_timeline_question(question)
    if timeline:
        return Question(asked, question, Said(*timeline, timeline=True))
    said = parse_say_question(question)
    return Question(asked, question, Said(*said) if said else None)


def _resolve_ellipsis(asked: str, subject: str, context: _Context, is_speaker: SpeakerTest) -> Question:
    subject = subject.strip(" ,.")
    if context.said is not None:
        # The subject is the user's own words, read as a speaker or topic by parse_say_question (which
        # drops "the", an article, trailing punctuation) in the question they complete.
        if is_speaker(subject):
            return _read(asked, _say_question(subject, context.said.topic, context.said.timeline))
        return _read(asked, _say_question(context.said.speaker, subject, context.said.timeline))
    return Question(asked, f"{context.question.rstrip(' ?')} — what about {subject}?")


def _resolve_say(asked: str, said: Said, context: _Context) -> Question:
    speaker, topic = said.speaker, said.topic
    if speaker.casefold() in _PERSON_PRONOUNS:
        speaker = (context.said.speaker if context.said else None) or context.person or speaker
    if topic.casefold() in _THING_PRONOUNS:
        topic = (context.said.topic if context.said else "") or topic
    return Question(asked, _say_question(speaker, topic, said.timeline), Said(speaker, topic, said.timeline))


def _resolve_pronouns(question: str, context: _Context) -> str:
    person = (context.said.speaker if context.said else None) or context.person
    if person and _PRONOUN_SUBJECT.search(question):
        return _PRONOUN_SUBJECT.sub(lambda m: _name_for(m, person, question), question)
    if _REFERS_BACK.search(question):
        return f"{question.rstrip(' ?')}? — following: {context.question}"
    return question


def _name_for(match: re.Match[str], person: str, question: str) -> str:
    pronoun = match.group("pronoun").casefold()
    following = question[match.end():].lstrip()
    # "his plan" and "her plan" are possessive; "about her" / "her?" are not.
    possessive = pronoun in ("his", "hers") or (pronoun == "her" and bool(re.match(r"[a-z]", following)))
    return f"{person}’s" if possessive else person


def _say_question(speaker: str, topic: str, timeline: bool = False) -> str:
    if names_a_role(speaker) and not speaker.casefold().startswith("the "):
        speaker = f"the {speaker}"  # parse_say_question dropped it
    verb = "has {} said" if timeline else "did {} say"
    about = f" about {topic}" if topic else ""
    return f"what {verb.format(speaker)}{about}?"


def _context_of(question: Question, previous: _Context | None) -> _Context:
    if question.said:
        return _Context(question.standalone, question.said, question.said.speaker)
    named = _CAPITALISED_RUN.findall(question.standalone)
    people = [name for name in named if looks_like_person_name(name)]
    person = people[0] if people else (previous.person if previous else None)
    return _Context(question.standalone, None, person)
