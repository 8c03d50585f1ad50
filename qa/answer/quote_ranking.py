"""Find what a speaker said about a topic: the person the question means, and all of their stored
quotations ranked by relevance to the topic.

The speaker phrase is resolved to one person first (Index.resolve_speaker: a full name, a surname by
prominence, a role by its holder as of the question's date). Every quotation of that person is then
scored, none left out by a shortlist, by

    cosine(topic, quote vector) + keyword·BM25(topic, framing) / (BM25 + keyword_half)
    + lexical·(topic words in the quote) + article·(how high the article ranks in a search for
    "speaker topic") − fragment·(starts lower-case)

with the ``Weights`` below, tuned on the dev questions of bench/quotes (bench/quote_questions.py tune).

The quote vector was embedded at ingest from the quotation with its framing (the reporter's words around
it), and BM25 reads the same framing, because the topic is often named by the reporter, not the speaker
("…,” Blinken said, referring to the collective defense provision"). The BM25 term saturates, so a score
keeps one scale across speakers quoted once or a thousand times: quote answers decline below a fixed
score. The article prior breaks ties between articles quoting the speaker on the same topic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Sequence

import numpy as np

from qa.answer.sentences import content_terms, cosines, term_overlap
from qa.quotes import read_quotes
from qa.quotes.resolution import names_another
from qa.text import english_stemmer
from qa.types import Article, Filters, PersonSeen, Quote

if TYPE_CHECKING:
    from qa.index import Index
    from qa.quotes.resolution import Resolution
    from qa.store.quote_rows import SpeakerQuotes

PRIOR_ARTICLES = 50  # articles searched for the article prior
NAMESAKE_CHECKS = 50  # an answer's ranked quotes checked for a surname that is someone else's: none shows more
MIN_WORDS = 3  # shorter quotes ("No," he said) answer no "what did X say about Y"
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
    filters: Filters = Filters()


@dataclass(frozen=True)
class QuoteRanking:
    """Who the question means (None: no one the articles name), and their quotes, best first."""

    resolution: Resolution | None
    ranked: list[RankedQuote]


@dataclass(frozen=True)
class Weights:
    """How the signals of a quote add up (see the module's formula)."""

    keyword: float = 0.3
    keyword_half: float = 2.0  # the BM25 score at which the keyword term gives half its weight
    lexical: float = 0.15
    article: float = 0.1
    # A fragment the reporter worked into a sentence ("…called it “major sources of inflation this year.”")
    # says less than a quoted sentence of the speaker's own.
    fragment: float = 0.1


WEIGHTS = Weights()


@dataclass(frozen=True)
class QuoteSignals:
    """The person a question means, their quotes (trimmed, with their articles), and each quote's signals."""

    resolution: Resolution | None
    quotes: list[Quote]
    articles: list[Article]
    dense: np.ndarray
    keyword: np.ndarray
    lexical: np.ndarray
    prior: np.ndarray
    fragment: np.ndarray

    def scores(self, weights: Weights = WEIGHTS) -> np.ndarray:
        return (self.dense + weights.keyword * self.keyword / (self.keyword + weights.keyword_half)
                + weights.lexical * self.lexical + weights.article * self.prior - weights.fragment * self.fragment)


def quote_signals(index: Index, search: QuoteSearch) -> QuoteSignals:
    """Resolve the speaker, read all of their quotes and measure each against the topic."""
    resolution = index.resolve_speaker(search.speaker, filters=search.filters, topic=search.topic)
    # A name several people share: all of their quotes compete, and the topic picks whose words these are.
    names = (resolution.everyone if search.topic else resolution.names) if resolution else ()
    stored = index.speaker_quotes(names, filters=search.filters)
    keep = [i for i, quote in enumerate(stored.quotes) if len(quotation_words(trimmed(quote).text)) >= MIN_WORDS]
    keep = keep or list(range(len(stored.quotes)))
    by_id = {article_id: index.article(article_id) for article_id in {stored.quotes[i].article_id for i in keep}}
    keep = [i for i in keep if by_id[stored.quotes[i].article_id] is not None]  # deleted since read
    if not keep:
        empty = np.zeros(0)
        return QuoteSignals(resolution, [], [], empty, empty, empty, empty, empty)
    query = search.topic or search.speaker
    quotes = [trimmed(stored.quotes[i]) for i in keep]
    prior = _article_prior(index, search, set(by_id))
    topic_terms = content_terms(search.topic)
    return QuoteSignals(
        resolution, quotes, [by_id[q.article_id] for q in quotes],  # type: ignore[misc]
        dense=_cosines(index, query, stored, keep),
        keyword=_bm25(query, [stored.framings[i] for i in keep]),
        lexical=np.array([term_overlap(topic_terms, q.text) for q in quotes]),
        prior=np.array([prior.get(q.article_id, 0.0) for q in quotes]),
        fragment=np.array([float(q.text[:1].islower()) for q in quotes]),
    )


def ranked_quotes(index: Index, search: QuoteSearch, weights: Weights = WEIGHTS, *,
                  namesake_checks: int | None = NAMESAKE_CHECKS) -> QuoteRanking:
    """The quotes of the person ``search.speaker`` means, most relevant to the topic first; of those stored
    under a surname alone, the first ``namesake_checks`` (None: all) are checked for being someone else's."""
    signals = quote_signals(index, search)
    scores = signals.scores(weights)
    ranked = [RankedQuote(quote, article, float(score))
              for quote, article, score in zip(signals.quotes, signals.articles, scores)]
    if not search.topic:  # "what did Blinken say?": the most relevant article's quotes, in reading order
        prior = dict(zip((q.article_id for q in signals.quotes), signals.prior))
        ranked.sort(key=lambda r: (-prior[r.quote.article_id], r.quote.article_id, r.quote.start))
    else:
        ranked.sort(key=lambda r: (-r.score, r.quote.article_id, r.quote.start))
    resolution = signals.resolution
    if resolution is not None:
        ranked = _without_namesakes(resolution, ranked, namesake_checks)
        if ranked:
            resolution = resolution.choosing(ranked[0].quote.speaker)
            ranked = [r for r in ranked if r.quote.speaker in resolution.names]
    return QuoteRanking(resolution, ranked)


def _without_namesakes(resolution: Resolution, ranked: list[RankedQuote], checks: int | None) -> list[RankedQuote]:
    """``ranked`` less the quotes stored under a surname alone whose article names only others of that family
    name in full: "Johnson said" in a report on Magic Johnson is not the prime minister's. Each check reads
    its article's people, so only the first ``checks`` kept are checked (None: all)."""
    named: dict[str, tuple[PersonSeen, ...]] = {}
    kept: list[RankedQuote] = []
    for position, ranked_quote in enumerate(ranked):
        if len(kept) == checks:
            return kept + ranked[position:]
        quote = ranked_quote.quote
        if len(quote.speaker.split()) == 1:
            if quote.article_id not in named:
                named[quote.article_id] = read_quotes(ranked_quote.article).people
            if names_another(quote.speaker, resolution.person_of(quote.speaker), named[quote.article_id]):
                continue
        kept.append(ranked_quote)
    return kept


def _cosines(index: Index, query: str, stored: SpeakerQuotes, keep: Sequence[int]) -> np.ndarray:
    """Cosine of the query to each kept quote's stored vector; a quote stored without one (an index whose
    quote backfill has not run) is embedded from its framing now."""
    rows = np.asarray(keep)
    scores = stored.vectors[rows] @ index.embed_query(query)
    missing = [position for position, row in enumerate(keep) if not stored.embedded[row]]
    if missing:
        texts = [stored.framings[keep[p]] or stored.quotes[keep[p]].text for p in missing]
        scores[missing] = cosines(query, texts, index.embedder)
    return scores


def _bm25(query: str, texts: Sequence[str]) -> np.ndarray:
    """BM25 of ``query`` against each of ``texts``, as a corpus of their own (a speaker's framings)."""
    import bm25s

    stemmer = english_stemmer()
    corpus = bm25s.tokenize(list(texts), stopwords="en", stemmer=stemmer, show_progress=False)
    terms = bm25s.tokenize([query], stopwords="en", stemmer=stemmer, show_progress=False, return_ids=False)[0]
    terms = [term for term in terms if term in corpus.vocab]
    if not terms:
        return np.zeros(len(texts))
    retriever = bm25s.BM25()
    retriever.index(corpus, show_progress=False)
    return np.asarray(retriever.get_scores(terms), dtype=np.float64)


def _article_prior(index: Index, search: QuoteSearch, quoted_in: set[str]) -> dict[str, float]:
    """1 for the article a search for "speaker topic" ranks first, decaying with rank; only articles
    that quote the speaker count, and their order among themselves is what matters."""
    hits = index.search(f"{search.speaker} {search.topic}".strip(), PRIOR_ARTICLES, filters=search.filters)
    ranked = [hit.article_id for hit in hits if hit.article_id in quoted_in]
    return {article_id: 1.0 / (1 + rank / 3) for rank, article_id in enumerate(dict.fromkeys(ranked))}


def trimmed(quote: Quote) -> Quote:
    """The quote without the comma, colon or dash that ends a quoted clause before its attribution
    (“…allies,” Blinken said): the words stay verbatim, the span shrinks to fit them."""
    text = quote.text.rstrip(_EDGE_PUNCTUATION)
    lead = len(text) - len(text.lstrip(_EDGE_PUNCTUATION))
    text = text[lead:]
    if not text:
        return quote
    return replace(quote, start=quote.start + lead, end=quote.start + lead + len(text), text=text)


def quotation_words(text: str) -> list[str]:
    """A quotation's words, lower-case: what tells the same quotation in two reports, and how long it is."""
    return re.findall(r"\w+", text.casefold())
