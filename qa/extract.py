"""Extractive answers: the sentences of the retrieved passages that best answer a question.

Each sentence is scored by the embedding model (cosine to the question), by the share of the question's
content words it contains, and by whether it holds the kind of thing the question asks for (a number for
"how many", a date for "when", a name the question does not already give for "who"/"which country").
The answer is the best sentence plus up to two more that score nearly as well.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from qa.text import split_sentences
from qa.embed import Embedder
from qa.types import Hit

MAX_SENTENCES = 3
# A further sentence joins the answer only when it scores nearly as well as the best one.
FOLLOWER_MARGIN = 0.15
LEXICAL_WEIGHT = 0.3
ANSWER_TYPE_WEIGHT = 0.1
RANK_WEIGHT = 0.05  # a small preference for passages retrieval put first
MIN_WORDS = 4
MAX_WORDS = 90  # longer "sentences" are unpunctuated scraps of page furniture or run-on lists

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has have
    having he her here hers him his how i if in into is it its just me more most my no nor not now of off on
    once only or other our out over own same she should so some such than that the their them then there
    these they this those through to too under until up very was we were what when where which while who
    whom whose why will with would you your said say says tell told new according""".split()
)
_WORD = re.compile(r"[\w’']+")
_MONTHS = ("january february march april may june july august september october november december "
           "jan feb mar apr jun jul aug sep sept oct nov dec").split()
_NUMBER_WORDS = set("one two three four five six seven eight nine ten eleven twelve dozen hundred hundreds "
                    "thousand thousands million millions billion billions trillion percent half".split())
_BOILERPLATE = re.compile(
    r"^(?:related content|click here|sign up|advertisement|read more|watch|subscribe|follow us|"
    r"copyright|©|share this|listen to)\b", re.IGNORECASE,
)
_ASKS_NUMBER = re.compile(
    r"\bhow (?:many|much|old|long|far|big|tall|large|often)\b|\bwhat (?:percentage|percent|number|amount|share|"
    r"age|price|rate|sum)\b", re.IGNORECASE,
)
_ASKS_DATE = re.compile(r"^\s*when\b|\b(?:what|which) (?:year|date|day|month|time)\b", re.IGNORECASE)
_ASKS_NAME = re.compile(r"^\s*(?:who|whom|whose|where)\b|\b(?:which|what) [a-z]+\b", re.IGNORECASE)


def stem(word: str) -> str:
    """A light English stem, enough to match "sanctions" with "sanction" and "countries" with "country"."""
    word = word.casefold().replace("’", "'")
    word = re.sub(r"'s?$", "", word)
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def content_terms(text: str) -> set[str]:
    """Stems of the words of ``text`` that carry meaning (no function words)."""
    return {stem(word) for word in _WORD.findall(text) if word.casefold() not in STOPWORDS} - {""}


def term_overlap(query_terms: set[str], text: str) -> float:
    """Share of the query's content terms found in ``text``."""
    if not query_terms:
        return 0.0
    return len(query_terms & content_terms(text)) / len(query_terms)


@dataclass(frozen=True)
class Sentence:
    """A candidate sentence: its exact span in the article and the passage (and its rank) it came from."""

    hit: Hit
    rank: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class ScoredSentence:
    sentence: Sentence
    score: float
    cosine: float


def candidate_sentences(hits: Sequence[Hit]) -> list[Sentence]:
    """The sentences of the passages, minus page furniture, each once (passages of one article overlap)."""
    seen: set[tuple[str, int, int]] = set()
    found = []
    for rank, hit in enumerate(hits):
        for span in split_sentences(hit.text):
            text = hit.text[span.start:span.end]
            key = (hit.article_id, hit.start + span.start, hit.start + span.end)
            if key in seen or not _is_prose(text):
                continue
            seen.add(key)
            found.append(Sentence(hit, rank, key[1], key[2], text))
    return found


def _is_prose(text: str) -> bool:
    words = _WORD.findall(text)
    return MIN_WORDS <= len(words) <= MAX_WORDS and text != text.upper() and not _BOILERPLATE.match(text)


def score_sentences(question: str, sentences: Sequence[Sentence], embedder: Embedder) -> list[ScoredSentence]:
    """Sentences best first."""
    if not sentences:
        return []
    cosines = _cosines(question, [s.text for s in sentences], embedder)
    terms = content_terms(question)
    scored = [
        ScoredSentence(
            sentence,
            float(cosine) + LEXICAL_WEIGHT * term_overlap(terms, sentence.text)
            + ANSWER_TYPE_WEIGHT * answer_type_match(question, sentence.text) + RANK_WEIGHT / (1 + sentence.rank),
            float(cosine),
        )
        for sentence, cosine in zip(sentences, cosines)
    ]
    return sorted(scored, key=lambda s: -s.score)


def _cosines(query: str, texts: Sequence[str], embedder: Embedder) -> np.ndarray:
    query_vector = embedder.embed_queries([query])[0]
    return embedder.embed_documents(list(texts)) @ query_vector


def answer_type_match(question: str, sentence: str) -> float:
    """1 when the sentence holds what the question asks for (a number, a date, a new name), else 0."""
    if _ASKS_NUMBER.search(question):
        return float(_has_number(sentence))
    if _ASKS_DATE.search(question):
        return float(_has_date(sentence))
    if _ASKS_NAME.search(question):
        return float(bool(new_names(question, sentence)))
    return 0.0


def _has_number(text: str) -> bool:
    return bool(re.search(r"\d", text)) or any(w.casefold() in _NUMBER_WORDS for w in _WORD.findall(text))


def _has_date(text: str) -> bool:
    words = {w.casefold().rstrip(".") for w in _WORD.findall(text)}
    return bool(words & set(_MONTHS)) or bool(re.search(r"\b(?:19|20)\d\d\b", text))


def new_names(question: str, sentence: str) -> set[str]:
    """Capitalised words of the sentence (not its first word) that the question does not contain."""
    asked = {w.casefold() for w in _WORD.findall(question)}
    words = _WORD.findall(sentence)[1:]
    return {w for w in words if w[:1].isupper() and w.casefold() not in asked and w.casefold() not in STOPWORDS}


def pick(scored: Sequence[ScoredSentence], limit: int = MAX_SENTENCES) -> list[ScoredSentence]:
    """The best sentence, then up to ``limit - 1`` more within FOLLOWER_MARGIN of it, best first."""
    if not scored:
        return []
    best = scored[0].score
    return [s for s in scored[:limit] if s.score >= best - FOLLOWER_MARGIN]
