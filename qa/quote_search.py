"""Find what a speaker said about a topic: the speaker's stored quotations, ranked by relevance to it.

Candidates are the quotes whose resolved speaker the question names (the quotes table, filled at
ingest), so retrieval never leaves the articles where that speaker is quoted. Each quote is scored by

    cosine(topic, quote) + LEXICAL·(topic words in the quote) + CONTEXT·(topic words in its paragraph)
    + ARTICLE·(how high the article ranks in a search for "speaker topic") − FRAGMENT·(starts lower-case)

The paragraph counts because the topic is often named by the reporter, not the speaker ("…,” Blinken
said, referring to the collective defense provision"); the article prior breaks ties between quotes of
a speaker quoted in many articles. Only the best CANDIDATES quotes by the cheap signals are embedded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Sequence

from qa.text import split_sentences
from qa.extract import content_terms, term_overlap
from qa.index import Index
from qa.types import Article, Quote

LEXICAL_WEIGHT = 0.3
CONTEXT_WEIGHT = 0.15
ARTICLE_WEIGHT = 0.1
# A fragment the reporter worked into a sentence ("…called it “major sources of inflation this year.”")
# says less than a quoted sentence of the speaker's own.
FRAGMENT_PENALTY = 0.1
PRIOR_ARTICLES = 50  # articles searched for the article prior
CANDIDATES = 40  # quotes embedded per question
MIN_WORDS = 3  # shorter quotes ("No," he said) answer no "what did X say about Y"
CONTEXT_CHARACTERS = 1500  # a longer paragraph is cut to the sentences around the quote
_EDGE_PUNCTUATION = " \t\n,;:—–-"


@dataclass(frozen=True)
class RankedQuote:
    quote: Quote  # trimmed of the comma or dash before its closing mark; still an exact span
    article: Article
    score: float


@dataclass(frozen=True)
class QuoteSearch:
    speaker: str  # as the question names them: "Blinken", "the secretary of state"
    topic: str  # "" for "what did Blinken say?"
    source: str | None = None
    since: str | None = None
    until: str | None = None
    as_of: str | None = None


def ranked_quotes(index: Index, search: QuoteSearch) -> list[RankedQuote]:
    """The speaker's quotes, most relevant to the topic first; [] when the speaker is never quoted."""
    until = search.until or search.as_of
    quotes = [trimmed(q) for q in index.quotes(search.speaker, source=search.source, since=search.since, until=until)]
    quotes = [q for q in quotes if _words(q.text) >= MIN_WORDS] or quotes
    if not quotes:
        return []
    prior = _article_prior(index, search, {q.article_id for q in quotes})
    topic_terms = content_terms(search.topic)
    def cheap_score(quote: Quote) -> float:
        return LEXICAL_WEIGHT * term_overlap(topic_terms, quote.text) + ARTICLE_WEIGHT * prior.get(quote.article_id, 0.0)

    cheap = sorted(quotes, key=lambda quote: -cheap_score(quote))[:CANDIDATES]
    articles = {article_id: index.article(article_id) for article_id in {q.article_id for q in cheap}}
    cosines = _cosines(index, search.topic or search.speaker, [q.text for q in cheap])
    ranked = []
    for position, (quote, cosine) in enumerate(zip(cheap, cosines)):
        article = articles[quote.article_id]
        if article is None:  # deleted since the quotes were read
            continue
        context = _scoring_context(article.text, quote)
        score = (
            cosine + LEXICAL_WEIGHT * term_overlap(topic_terms, quote.text)
            + CONTEXT_WEIGHT * term_overlap(topic_terms, context) + ARTICLE_WEIGHT * prior.get(quote.article_id, 0.0)
            - FRAGMENT_PENALTY * quote.text[:1].islower()
        )
        ranked.append(RankedQuote(quote, article, score))
    if not search.topic:  # "what did Blinken say?": the most relevant article's quotes, in reading order
        return sorted(ranked, key=lambda r: (-prior.get(r.quote.article_id, 0.0), r.quote.article_id, r.quote.start))
    return sorted(ranked, key=lambda r: (-r.score, r.quote.article_id, r.quote.start))


def _scoring_context(text: str, quote: Quote) -> str:
    """The quote's paragraph and the one before it, where reporters often name what the quote is about
    ("Blinken also offered a definition of the kind of invasion that would provoke sanctions…")."""
    start, end = context_span(text, quote.start, quote.end)
    previous_end = len(text[:start].rstrip())
    previous_start = text.rfind("\n", 0, previous_end) + 1 if previous_end else start
    return text[previous_start:end]


def _article_prior(index: Index, search: QuoteSearch, quoted_in: set[str]) -> dict[str, float]:
    """1 for the article a search for "speaker topic" ranks first, decaying with rank; only articles
    that quote the speaker count, and their order among themselves is what matters."""
    hits = index.search(
        f"{search.speaker} {search.topic}".strip(), PRIOR_ARTICLES, source=search.source, since=search.since,
        until=search.until, as_of=search.as_of,
    )
    ranked = [hit.article_id for hit in hits if hit.article_id in quoted_in]
    return {article_id: 1.0 / (1 + rank / 3) for rank, article_id in enumerate(dict.fromkeys(ranked))}


def _cosines(index: Index, query: str, texts: Sequence[str]) -> list[float]:
    embedder = index.embedder
    query_vector = embedder.embed_queries([query])[0]
    return [float(x) for x in embedder.embed_documents(list(texts)) @ query_vector]


def trimmed(quote: Quote) -> Quote:
    """The quote without the comma, colon or dash that ends a quoted clause before its attribution
    (“…allies,” Blinken said): the words stay verbatim, the span shrinks to fit them."""
    text = quote.text.rstrip(_EDGE_PUNCTUATION)
    lead = len(text) - len(text.lstrip(_EDGE_PUNCTUATION))
    text = text[lead:]
    if not text:
        return quote
    return replace(quote, start=quote.start + lead, end=quote.start + lead + len(text), text=text)


def context_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The paragraph(s) holding text[start:end]; a very long paragraph is cut to the sentences around it."""
    first = text.rfind("\n", 0, start) + 1
    last = text.find("\n", end)
    last = len(text) if last < 0 else last
    while first < start and text[first].isspace():
        first += 1
    while last > end and text[last - 1].isspace():
        last -= 1
    if last - first <= CONTEXT_CHARACTERS:
        return first, last
    margin = (CONTEXT_CHARACTERS - (end - start)) // 2
    sentences = [
        (first + s.start, first + s.end) for s in split_sentences(text[first:last])
        if first + s.end > start - margin and first + s.start < end + margin
    ]
    if not sentences:
        return start, end
    return min(sentences[0][0], start), max(sentences[-1][1], end)


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))
