"""Ranking: dense and keyword candidates fused per article, a preference for recent news, reranking.

Each retriever (cosine over chunk vectors; SQLite FTS5 BM25 over chunk terms) returns its best chunks.
Hybrid search fuses them with reciprocal-rank fusion at article level: an article's place in a retriever's
list is the place of its best chunk there, and its score is the sum over retrievers of
weight / (rrf_k + place). The passage shown for an article is its chunk with the best chunk-level fused
score. Rank fusion was kept over a normalised weighted sum of scores: on RealTime QA it does as well
(MRR@10 0.623 against 0.617 for the best sum), on SciFact 0.014 nDCG@10 worse; it needs no per-query
normalisation of BM25 (whose scale changes with the query and the filters), and the lead and date votes
below are counted in the same rank units. BENCHMARKS.md has the figures.
"""

from __future__ import annotations

import math
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Callable, Iterable, Literal, Protocol, Sequence

import numpy as np

from qa.errors import QAError
from qa.store import ChunkFacts, Filters, Store
from qa.types import Hit

Mode = Literal["hybrid", "dense", "bm25"]
MODES: tuple[Mode, ...] = ("hybrid", "dense", "bm25")
DEFAULT_MODE: Mode = "hybrid"

# A compact English stopword list (function words only): dropped from keyword queries because FTS5 has
# none, and an OR of "the" would match every chunk and cost time without adding any ranking signal.
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have
    having he her here hers herself him himself his how i if in into is it its itself just me more most my
    myself no nor not now of off on once only or other our ours ourselves out over own same she should so
    some such than that the their theirs them themselves then there these they this those through to too
    under until up very was we were what when where which while who whom whose why will with would you your
    yours yourself yourselves s t""".split()
)
_TERM = re.compile(r"\w+")


@dataclass(frozen=True)
class RankSettings:
    """The tuned knobs; BENCHMARKS.md lists the values tried."""

    candidates: int = 100  # chunks taken from each retriever
    rrf_k: float = 60.0
    dense_weight: float = 0.5  # vote of the vector ranking; BM25's is 1 (MiniLM alone trails BM25 on news)
    title_weight: float = 1.0  # BM25 weight of the headline column; the body's is 1
    lead_weight: float = 0.25  # extra vote of each retriever's ranking of article leads (first chunks)
    recency_days: float = 60.0  # as_of: an article this many days old keeps 1/e of the full date bonus
    recency_weight: float = 1.0  # as_of: the date bonus of a same-day article, in first-place RRF units
    per_article: bool = True  # one passage per article (the best), so the top k are k distinct articles
    max_postings: int = 40_000  # keyword search cost bound: see affordable_terms
    rerank_depth: int = 30  # results a reranker reorders


def check_mode(mode: str) -> Mode:
    if mode not in MODES:
        raise QAError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    return mode  # type: ignore[return-value]


def keyword_terms(text: str) -> list[str]:
    """The text's distinct words, in order, lower-cased, stopwords dropped."""
    words = dict.fromkeys(match.group().casefold() for match in _TERM.finditer(text))
    return [word for word in words if word not in STOPWORDS]


def affordable_terms(terms: Sequence[str], chunk_counts: dict[str, int], max_postings: int) -> list[str]:
    """The rarest terms whose chunk counts add up to at most ``max_postings`` (the rarest one always), in
    their original order; terms found nowhere are dropped.

    FTS5 scores every chunk that matches any term, so the time a query takes grows with the postings of
    its terms; the common terms left out ("new", "week") carry the least BM25 weight."""
    found = sorted((term for term in terms if chunk_counts.get(term, 0) > 0), key=lambda term: chunk_counts[term])
    kept: set[str] = set()
    postings = 0
    for term in found:
        if kept and postings + chunk_counts[term] > max_postings:
            break
        kept.add(term)
        postings += chunk_counts[term]
    return [term for term in terms if term in kept]


def keyword_query(terms: Sequence[str]) -> str | None:
    """An FTS5 query OR-ing the terms, each quoted so that no word is read as FTS5 syntax (AND, NEAR,
    column filters, a stray quote); None when there is none."""
    return " OR ".join('"' + term.replace('"', '""') + '"' for term in terms) or None


# -- fusion ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RankedList:
    """One retriever's chunk ids, best first, with the weight its vote gets in the fusion."""

    chunk_ids: Sequence[int]
    weight: float = 1.0
    picks_passage: bool = True  # False for votes about articles (leads) that say nothing of which passage fits


def fuse(
    lists: Sequence[RankedList],
    facts: dict[int, ChunkFacts],
    *,
    rrf_k: float,
    per_article: bool,
    bonus: Callable[[ChunkFacts], float] = lambda facts: 0.0,
) -> list[tuple[int, float]]:
    """(chunk id, score), best first. ``bonus`` adds a per-article term (the date preference) in units of
    a first place in one list. With ``per_article`` each article appears once, with its best passage."""
    unit = 1.0 / (rrf_k + 1)
    if not per_article:
        chunk_score = _rrf(((ranked.chunk_ids, ranked.weight) for ranked in lists if ranked.chunk_ids), rrf_k)
        scored = {chunk: score + unit * bonus(facts[chunk]) for chunk, score in chunk_score.items()}
        return sorted(scored.items(), key=lambda item: -item[1])
    article_places = (
        (_distinct_articles(ranked.chunk_ids, facts), ranked.weight) for ranked in lists if ranked.chunk_ids
    )
    article_score = _rrf(article_places, rrf_k)
    passage_score = _rrf(
        ((ranked.chunk_ids, ranked.weight) for ranked in lists if ranked.chunk_ids and ranked.picks_passage), rrf_k
    )
    best_chunk: dict[str, int] = {}
    for chunk, score in passage_score.items():  # dict order: first seen first, so ties keep the earlier chunk
        article = facts[chunk].article_id
        if article not in best_chunk or score > passage_score[best_chunk[article]]:
            best_chunk[article] = chunk
    scored = {chunk: article_score[article] + unit * bonus(facts[chunk]) for article, chunk in best_chunk.items()}
    return sorted(scored.items(), key=lambda item: -item[1])


def _rrf(lists: Iterable[tuple[Sequence, float]], rrf_k: float) -> dict:
    scores: dict = {}
    for items, weight in lists:
        for place, item in enumerate(items, 1):
            scores[item] = scores.get(item, 0.0) + weight / (rrf_k + place)
    return scores


def _distinct_articles(chunk_ids: Sequence[int], facts: dict[int, ChunkFacts]) -> list[str]:
    return list(dict.fromkeys(facts[chunk].article_id for chunk in chunk_ids))


def lead_list(ranked: RankedList, facts: dict[int, ChunkFacts], weight: float) -> RankedList:
    """The retriever's ranking of article leads only: news puts the subject of a story in its first
    paragraphs, while a passing mention deep in a digest or a long feature is a weaker match."""
    leads = [chunk for chunk in ranked.chunk_ids if facts[chunk].ordinal == 0]
    return RankedList(leads, ranked.weight * weight, picks_passage=False)


def recency_bonus(as_of: str, *, days: float, weight: float) -> Callable[[ChunkFacts], float]:
    """News questions are asked shortly after the event: a bonus decaying with the age of the article at
    ``as_of``. Undated articles get none; articles from after ``as_of`` are filtered out before this."""
    asked = date.fromisoformat(as_of)

    def bonus(facts: ChunkFacts) -> float:
        if not facts.published:
            return 0.0
        age = max(0, (asked - date.fromisoformat(facts.published)).days)
        return weight * math.exp(-age / days)

    return bonus


# -- searching -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchRequest:
    query: str
    k: int
    filters: Filters = Filters()
    mode: Mode = DEFAULT_MODE
    settings: RankSettings = field(default_factory=RankSettings)
    reranker: Reranker | None = None


_QUERY_EMBEDDING = ThreadPoolExecutor(max_workers=2, thread_name_prefix="qa-embed-query")


def search(store: Store, embed_query: Callable[[str], np.ndarray], request: SearchRequest) -> list[Hit]:
    """The k best passages for the request, fused from the retrievers its mode names."""
    settings = request.settings
    depth = max(settings.candidates, request.k)
    lists: list[RankedList] = []
    # The model embeds the query in another thread while SQLite runs the keyword search in this one:
    # both release the GIL, so hybrid search takes about as long as the slower of the two.
    vector = _QUERY_EMBEDDING.submit(embed_query, request.query) if request.mode != "bm25" else None
    if request.mode != "dense":
        lists.append(RankedList(_keyword_candidates(store, request.query, depth, request.filters, settings)))
    if vector is not None:
        nearest = store.nearest(vector.result(), depth, request.filters)
        lists.insert(0, RankedList([chunk for chunk, _ in nearest], settings.dense_weight))
    facts = store.chunk_facts(sorted({chunk for ranked in lists for chunk in ranked.chunk_ids}))
    if settings.lead_weight:
        lists += [lead_list(ranked, facts, settings.lead_weight) for ranked in lists]
    bonus = (
        recency_bonus(request.filters.as_of, days=settings.recency_days, weight=settings.recency_weight)
        if request.filters.as_of
        else lambda facts: 0.0
    )
    ranked = fuse(lists, facts, rrf_k=settings.rrf_k, per_article=settings.per_article, bonus=bonus)
    if request.reranker is None:
        return store.hits(ranked[: request.k])
    hits = store.hits(ranked[: max(request.k, settings.rerank_depth)])
    return rerank(request.query, hits, request.reranker)[: request.k]


def _keyword_candidates(store: Store, query: str, depth: int, filters: Filters, settings: RankSettings) -> list[int]:
    terms = keyword_terms(query)
    match = keyword_query(affordable_terms(terms, store.term_chunk_counts(terms), settings.max_postings))
    if match is None:
        return []
    return [chunk for chunk, _ in store.keyword_search(match, depth, filters, (settings.title_weight, 1.0))]


# -- reranking -------------------------------------------------------------------------------


class Reranker(Protocol):
    name: str

    def score(self, query: str, passages: Sequence[str]) -> np.ndarray:
        """Relevance of each passage to the query, higher is better."""


def rerank(query: str, hits: Sequence[Hit], reranker: Reranker) -> list[Hit]:
    """The hits reordered by the reranker's score of (query, headline + passage), which becomes their
    score; equal scores keep the first-stage order."""
    scores = reranker.score(query, [f"{hit.title}\n{hit.text}" if hit.title else hit.text for hit in hits])
    order = sorted(range(len(hits)), key=lambda i: -scores[i])
    return [replace(hits[i], score=float(scores[i])) for i in order]


class CrossEncoderReranker:
    """Any sentence-transformers CrossEncoder, by name or folder, read from disk only (no hub access) and
    loaded on first use."""

    def __init__(self, name: str, *, device: str = "cpu", batch_size: int = 16) -> None:
        self.name = name
        self._device = device
        self._batch_size = batch_size
        self._model = None

    def score(self, query: str, passages: Sequence[str]) -> np.ndarray:
        if not passages:
            return np.zeros(0, dtype=np.float32)
        scores = self._loaded().predict(
            [(query, passage) for passage in passages], batch_size=self._batch_size, show_progress_bar=False
        )
        scores = np.asarray(scores, dtype=np.float32)
        if scores.shape != (len(passages),):
            raise QAError(f"reranker {self.name!r} gives {scores.shape[1:]} scores a pair; a reranker gives one")
        return scores

    def _loaded(self):
        if self._model is None:
            self._model = _load_cross_encoder(self.name, self._device)
        return self._model


def _load_cross_encoder(name: str, device: str):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # as for the embedder: fail at once rather than retry
    from sentence_transformers import CrossEncoder

    try:
        return CrossEncoder(name, device=device, local_files_only=True)
    except Exception as error:  # the library raises many types; the user needs one line
        first_line = str(error).splitlines()[0] if str(error) else ""
        raise QAError(
            f"cannot load reranker {name!r}: {type(error).__name__}: {first_line} "
            "(give a local CrossEncoder folder, or a model already in the Hugging Face cache)"
        ) from None
