"""Ranking: dense and keyword candidates fused per article, a preference for recent news, reranking.

Each retriever (cosine over chunk vectors; bm25s BM25 over each chunk's headline and text) returns its
best chunks.
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
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Callable, Iterable, Literal, Protocol, Sequence

import numpy as np

from qa.errors import QAError
from qa.store import ChunkFacts
from qa.types import Filters, Hit

if TYPE_CHECKING:
    from qa.store.protocol import SearchView, StoreBackend

Mode = Literal["hybrid", "dense", "bm25"]
MODES: tuple[Mode, ...] = ("hybrid", "dense", "bm25")
DEFAULT_MODE: Mode = "hybrid"


@dataclass(frozen=True)
class RankSettings:
    """The tuned knobs; BENCHMARKS.md lists the values tried."""

    candidates: int = 100  # chunks taken from each retriever
    rrf_k: float = 60.0
    dense_weight: float = 0.5  # vote of the vector ranking; BM25's is 1 (MiniLM alone trails BM25 on news)
    lead_weight: float = 0.25  # extra vote of each retriever's ranking of article leads (first chunks)
    recency_days: float = 60.0  # as_of: an article this many days old keeps 1/e of the full date bonus
    recency_weight: float = 1.0  # as_of: the date bonus of a same-day article, in first-place RRF units
    per_article: bool = True  # one passage per article (the best), so the top k are k distinct articles
    rerank_depth: int = 30  # results a reranker reorders


def check_mode(mode: str) -> Mode:
    if mode not in MODES:
        raise QAError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    return mode  # type: ignore[return-value]


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
    all_copies: bool = False  # near-copies of one story each shown, rather than once with also_in


def search(store: StoreBackend, embed_query: Callable[[str], Future], request: SearchRequest) -> list[Hit]:
    """The k best passages for the request, fused from the retrievers its mode names, all read from one
    consistent view of the store. ``embed_query`` gives a Future of the query's vector."""
    # The model embeds the query in another thread (it releases the GIL) while bm25s scores in this one.
    vector = embed_query(request.query) if request.mode != "bm25" else None
    shown = request.k if request.reranker is None else max(request.k, request.settings.rerank_depth)
    with store.view() as view:
        lists, facts = candidates(view, request, vector)
        ranked = fused(lists, facts, request)
        if not request.all_copies:
            ranked = one_per_story(view, ranked, facts)
        hits = view.hits(ranked[:shown])
        copies = view.copies(list(dict.fromkeys(hit.article_id for hit in hits)), request.filters)
    hits = [replace(hit, also_in=copies[hit.article_id]) if copies.get(hit.article_id) else hit for hit in hits]
    if request.reranker is None:
        return hits
    return rerank(request.query, hits, request.reranker)[: request.k]


def candidates(
    view: SearchView, request: SearchRequest, vector: Future | None
) -> tuple[list[RankedList], dict[int, ChunkFacts]]:
    """Each retriever's best chunks (dense first), and the facts of every candidate."""
    depth = max(request.settings.candidates, request.k)
    lists: list[RankedList] = []
    if request.mode != "dense":  # first, while the query vector is being computed
        lists.append(RankedList([chunk for chunk, _ in view.keyword_search(request.query, depth, request.filters)]))
    if vector is not None:
        nearest = view.nearest(vector.result(), depth, request.filters)
        lists.insert(0, RankedList([chunk for chunk, _ in nearest], request.settings.dense_weight))
    facts = view.chunk_facts(sorted({chunk for ranked in lists for chunk in ranked.chunk_ids}))
    # Only chunks still stored: see StoreView.keyword_search.
    return [replace(ranked, chunk_ids=[c for c in ranked.chunk_ids if c in facts]) for ranked in lists], facts


def fused(lists: list[RankedList], facts: dict[int, ChunkFacts], request: SearchRequest) -> list[tuple[int, float]]:
    settings = request.settings
    if settings.lead_weight:
        lists = lists + [lead_list(ranked, facts, settings.lead_weight) for ranked in lists]
    bonus = (
        recency_bonus(request.filters.as_of, days=settings.recency_days, weight=settings.recency_weight)
        if request.filters.as_of
        else lambda facts: 0.0
    )
    return fuse(lists, facts, rrf_k=settings.rrf_k, per_article=settings.per_article, bonus=bonus)


def one_per_story(
    view: SearchView, ranked: list[tuple[int, float]], facts: dict[int, ChunkFacts]
) -> list[tuple[int, float]]:
    """The ranking without the chunks of a story's other copies: the same wire text in several outlets
    (or an updated version) is one result, shown by its best-ranked copy."""
    story = view.stories_of(list(dict.fromkeys(facts[chunk].article_id for chunk, _ in ranked)))
    if not story:
        return ranked
    shown_by: dict[str, str] = {}
    kept = []
    for chunk, score in ranked:
        article = facts[chunk].article_id
        if shown_by.setdefault(story.get(article, article), article) == article:
            kept.append((chunk, score))
    return kept


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
