"""Sentence answers: the sentences of the retrieved passages that best answer a question, verbatim.

Each sentence is scored by the embedding model (cosine to the question), by the share of the question's
content words it contains, and by whether it holds the kind of thing the question asks for (a number for
"how many", a date for "when", a name the question does not already give for "who"/"which country").
The answer is the best sentence plus up to two more that score nearly as well; when the best is not
relevant enough (MIN_RELEVANCE), the answer declines and lists the closest passages. For a speaker never
quoted on a topic, reported_speech answers with the sentences that mention them, never as their words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Iterable, Sequence

from qa.answer.compose import Citations, context_span
from qa.text import split_sentences
from qa.quotes.speakers import looks_like_person_name, names_a_role
from qa.types import Answer, Hit

if TYPE_CHECKING:
    from qa.answer.compose import Request
    from qa.embed import Embedder
    from qa.index import Index

# Abstention thresholds, chosen from the score distributions that `bench/answers.py abstain` prints for
# the full RealTimeQA archive (3,703 articles). A declined answer still lists the closest passages, so
# declining is the cheaper mistake; each threshold is the highest that keeps about 95% of the answerable.
# The cosine between the question and the best candidate sentence: 0.56 keeps 96% of the 95 benchmark
# questions and declines 67% of 55 unanswerable ones (precision of declining 0.90). (The quote answers'
# threshold is MIN_QUOTE_SCORE in qa.answer.quote.)
MIN_RELEVANCE = 0.56

MAX_SENTENCES = 3
# A further sentence joins the answer only when it scores nearly as well as the best one.
FOLLOWER_MARGIN = 0.15
LEXICAL_WEIGHT = 0.3
ANSWER_TYPE_WEIGHT = 0.1
RANK_WEIGHT = 0.05  # a small preference for passages retrieval put first
MIN_WORDS = 4
MAX_WORDS = 90  # longer "sentences" are unpunctuated scraps of page furniture or run-on lists

NOTHING_FOUND = "I found nothing in the indexed articles that answers this; the closest passages are listed."

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
class CandidateSentence:
    """A candidate sentence: its exact span in the article and the passage (and its rank) it came from."""

    hit: Hit
    rank: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class ScoredSentence:
    sentence: CandidateSentence
    score: float
    cosine: float


def candidate_sentences(hits: Sequence[Hit]) -> list[CandidateSentence]:
    """The sentences of the passages, minus page furniture, each once (passages of one article overlap)."""
    return _each_once(
        CandidateSentence(hit, rank, hit.start + span.start, hit.start + span.end, hit.text[span.start:span.end])
        for rank, hit in enumerate(hits) for span in split_sentences(hit.text)
        if _is_prose(hit.text[span.start:span.end])
    )


def _each_once(sentences: Iterable[CandidateSentence]) -> list[CandidateSentence]:
    """The first of the sentences that cover the same span of the same article."""
    seen: set[tuple[str, int, int]] = set()
    unique = []
    for sentence in sentences:
        if (sentence.hit.article_id, sentence.start, sentence.end) not in seen:
            seen.add((sentence.hit.article_id, sentence.start, sentence.end))
            unique.append(sentence)
    return unique


def _is_prose(text: str) -> bool:
    words = _WORD.findall(text)
    return MIN_WORDS <= len(words) <= MAX_WORDS and text != text.upper() and not _BOILERPLATE.match(text)


def score_sentences(
    question: str, sentences: Sequence[CandidateSentence], embedder: Embedder
) -> list[ScoredSentence]:
    """Sentences best first."""
    if not sentences:
        return []
    terms = content_terms(question)
    scored = [
        ScoredSentence(
            sentence,
            cosine + LEXICAL_WEIGHT * term_overlap(terms, sentence.text)
            + ANSWER_TYPE_WEIGHT * answer_type_match(question, sentence.text) + RANK_WEIGHT / (1 + sentence.rank),
            cosine,
        )
        for sentence, cosine in zip(sentences, cosines(question, [s.text for s in sentences], embedder))
    ]
    return sorted(scored, key=lambda s: -s.score)


def cosines(query: str, texts: Sequence[str], embedder: Embedder) -> list[float]:
    """The cosine of ``query`` to each of ``texts``, as the embedder's query and document vectors give it."""
    query_vector = embedder.embed_queries([query])[0]
    return [float(x) for x in embedder.embed_documents(list(texts)) @ query_vector]


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


# -- sentence answers ----------------------------------------------------------------------------------


def scored_sentences(index: Index, question: str, hits: Sequence[Hit]) -> list[ScoredSentence]:
    """The sentences of the passages, and of the whole top article: search shows one passage per article,
    and the sentence that answers may sit in another passage of the best article."""
    if not hits:
        return []
    top = index.article(hits[0].article_id)
    whole = candidate_sentences([Hit.of_article(top, 0, len(top.text), hits[0].score)]) if top else []
    # a passage's own sentence first: its hit is shown
    unique = _each_once(candidate_sentences(hits) + [replace(s, rank=0) for s in whole])
    return score_sentences(question, unique, index.embedder)


def sentence_answer(
    request: Request, hits: Sequence[Hit], scored: Sequence[ScoredSentence], intro: str = ""
) -> Answer:
    if not _relevant(scored):
        return request.nothing(intro or NOTHING_FOUND, hits)
    citations = Citations()
    chosen = pick(scored)
    parts = [f"{s.sentence.text} [{citations.cite(s.sentence.hit, s.sentence.start, s.sentence.end)}]" for s in chosen]
    text = "\n".join(part for part in (intro, " ".join(parts)) if part)
    return request.answer(text, citations, _with_context(hits, [s.sentence for s in chosen]), "sentences")


def _with_context(hits: Sequence[Hit], cited: Sequence[CandidateSentence]) -> list[Hit]:
    """The passages, plus the paragraph of each cited sentence that no passage holds, so the chat can
    show every citation in its context."""
    shown = list(hits)
    for sentence in cited:
        if not any(h.contains(sentence.hit.article_id, sentence.start, sentence.end) for h in shown):
            whole = sentence.hit  # a passage that holds the sentence: here, its whole article
            start, end = context_span(whole.text, sentence.start - whole.start, sentence.end - whole.start)
            shown.append(replace(whole, text=whole.text[start:end], start=whole.start + start, end=whole.start + end))
    return shown


def reported_speech(index: Index, request: Request, speaker: str, topic: str, *, quoted_elsewhere: bool) -> Answer:
    """No quotation of the speaker on the topic: say so, then what the articles report about them (their
    own sentences, which mention the speaker) when relevant enough."""
    who = f"the {speaker}" if names_a_role(speaker) else speaker
    about = f" about {topic}" if topic else ""
    intro = f"I found no quotation of {who}{about} in the indexed articles."
    if quoted_elsewhere:
        intro = f"I found no quotation of {who} that is about {topic} in the indexed articles."
    hits = index.search(f"{speaker} {topic}".strip(), request.k, filters=request.filters, mode=request.mode)
    mentions = [s for s in candidate_sentences(hits) if _mentions(s.text, speaker)]
    # Scored against the topic alone: every candidate names the speaker, which says nothing of relevance.
    scored = score_sentences(topic or speaker, mentions, index.embedder) if mentions else []
    if not _relevant(scored):
        return request.nothing(intro, hits)
    return sentence_answer(request, hits, scored, intro=f"{intro} What the articles report:")


def _relevant(scored: Sequence[ScoredSentence]) -> bool:
    return bool(scored) and scored[0].cosine >= MIN_RELEVANCE


def _mentions(sentence: str, speaker: str) -> bool:
    """Whether a sentence names the speaker: their family name, or the whole role ("secretary of state")."""
    phrase = re.sub(r"^(?:the|mr\.?|mrs\.?|ms\.?|dr\.?)\s+", "", speaker.strip(), flags=re.IGNORECASE)
    key = phrase.split()[-1] if looks_like_person_name(phrase) else phrase
    return re.search(rf"\b{re.escape(key)}\b", sentence, re.IGNORECASE) is not None
