"""Follow-up questions in a chat, rewritten into standalone questions by rules (no language model).

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
from typing import Callable, Sequence

from qa.quotes.speakers import looks_like_person_name, names_a_role, parse_say_question

Turn = tuple[str, str]  # (user question, assistant answer)
SpeakerTest = Callable[[str], bool]

_LEAD_WORDS = re.compile(r"^(?:(?:and|so|ok|okay|also|then|but|now)\b[,]?\s*)+", re.IGNORECASE)
_ELLIPSIS = re.compile(r"^(?:(?:what|how)\s+about|and)\s+(?P<subject>[^?]+?)\s*\??$", re.IGNORECASE)
_PERSON_PRONOUNS = {"he", "she", "him", "her", "they", "them"}
_THING_PRONOUNS = {"it", "that", "this", "those", "these", "them"}
_PRONOUN_SUBJECT = re.compile(r"\b(?P<pronoun>he|she|him|his|her|hers)\b", re.IGNORECASE)
_REFERS_BACK = re.compile(r"\b(?:it|its|that|this|they|them|their|there)\b", re.IGNORECASE)
_CAPITALISED_RUN = re.compile(r"(?<=\s)[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*")  # not the question's first word


@dataclass(frozen=True)
class _Context:
    question: str  # the previous question, standalone
    speaker: str | None  # whom it asked about, for "what did X say about Y" questions
    topic: str
    person: str | None  # the last person named, for "he"/"she"


def looks_like_speaker(phrase: str) -> bool:
    """Whether "what about PHRASE?" names a person (a new speaker) rather than a new topic."""
    return looks_like_person_name(phrase) or names_a_role(phrase)


def standalone_question(
    question: str, history: Sequence[Turn], *, is_speaker: SpeakerTest = looks_like_speaker
) -> str:
    """``question`` as it would be asked without the conversation before it; unchanged when it already is."""
    context: _Context | None = None
    for user_turn, _ in history:
        if user_turn and user_turn.strip():
            context = _context_of(_resolve(user_turn, context, is_speaker), context)
    return _resolve(question, context, is_speaker)


def _resolve(question: str, context: _Context | None, is_speaker: SpeakerTest) -> str:
    question = " ".join(question.split())
    if context is None:
        return question
    bare = _LEAD_WORDS.sub("", question).strip()
    ellipsis = _ELLIPSIS.match(bare)
    if ellipsis and not parse_say_question(bare):
        return _resolve_ellipsis(ellipsis.group("subject"), context, is_speaker)
    said = parse_say_question(bare)
    if said:
        return _resolve_say(*said, context)
    return _resolve_pronouns(bare, context)


def _resolve_ellipsis(subject: str, context: _Context, is_speaker: SpeakerTest) -> str:
    subject = subject.strip(" ,.")
    if context.speaker is not None:
        if is_speaker(subject):
            return _say_question(subject, context.topic)
        return _say_question(context.speaker, subject)
    return f"{context.question.rstrip(' ?')} — what about {subject}?"


def _resolve_say(speaker: str, topic: str, context: _Context) -> str:
    if speaker.casefold() in _PERSON_PRONOUNS:
        speaker = context.speaker or context.person or speaker
    if topic.casefold() in _THING_PRONOUNS:
        topic = context.topic or topic
    return _say_question(speaker, topic)


def _resolve_pronouns(question: str, context: _Context) -> str:
    person = context.speaker or context.person
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


def _say_question(speaker: str, topic: str) -> str:
    if names_a_role(speaker) and not speaker.casefold().startswith("the "):
        speaker = f"the {speaker}"  # parse_say_question dropped it
    return f"what did {speaker} say about {topic}?" if topic else f"what did {speaker} say?"


def _context_of(question: str, previous: _Context | None) -> _Context:
    said = parse_say_question(question)
    if said:
        speaker, topic = said
        return _Context(question, speaker, topic, speaker)
    named = _CAPITALISED_RUN.findall(question)
    people = [name for name in named if looks_like_person_name(name)]
    person = people[0] if people else (previous.person if previous else None)
    return _Context(question, None, "", person)
