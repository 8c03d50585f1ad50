"""Compare ways of fusing dense and BM25 candidates on a benchmark's cached index (built by `qa eval`).

    .venv/bin/python bench/fusion_alternatives.py ../shared/bench/scifact [--as-of-question-date]

Candidates come from the product's retrievers (Store.nearest, the keyword query of qa.search); each
alternative then ranks articles from the same candidates: reciprocal-rank fusion (what qa.search does,
with several k and dense weights) and normalised weighted sums of the raw scores (max, min-max and
z-score normalisation, several dense shares), an article scoring as its best chunk.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import benchmark_index  # noqa: E402
from qa import search  # noqa: E402
from qa.evaluate import Query, Tally, duplicate_aliases  # noqa: E402
from qa.store import ChunkFacts  # noqa: E402
from qa.types import Filters  # noqa: E402
from qa.types import Hit  # noqa: E402

Scored = list[tuple[int, float]]
Candidates = tuple[Scored, Scored, dict[int, ChunkFacts]]
Ranker = Callable[[Candidates], list[str]]
COLUMNS = ("recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    benchmark_index.add_options(parser)
    args = parser.parse_args()
    with benchmark_index.opened(args) as (bench, index):
        settings = index.ranking
        candidates = {query.id: _candidates(index, query, settings, args.as_of_question_date) for query in bench.queries}
    aliases = duplicate_aliases(bench.articles()) if bench.layout == "articles" else {}
    print("\t".join(["fusion", *COLUMNS]))
    for name, ranker in _alternatives(settings.rrf_k):
        tally = Tally()
        for query in bench.queries:
            ranked = ranker(candidates[query.id])[:10]
            relevant = frozenset(aliases.get(article, article) for article in query.relevant)
            tally.add(query, [Hit(article, "", 0, 0, 0.0) for article in ranked], relevant, 0.0)
        figures = tally.figures()
        print("\t".join([name, *(f"{figures[column]:.3f}" for column in COLUMNS)]), flush=True)


def _candidates(index, query: Query, settings: search.RankSettings, dated: bool) -> Candidates:
    filters = Filters(as_of=query.date) if dated and query.date else Filters()
    vector = index.embed_query(query.text)
    with index.store.view() as view:
        dense = view.nearest(vector, settings.candidates, filters)
        keyword = view.keyword_search(query.text, settings.candidates, filters)
        facts = view.chunk_facts(sorted({chunk for chunk, _ in dense + keyword}))
    return dense, keyword, facts


def _alternatives(default_k: float) -> list[tuple[str, Ranker]]:
    options: list[tuple[str, Ranker]] = [("dense only", _rrf(60, 1.0, 0.0)), ("bm25 only", _rrf(60, 0.0, 1.0))]
    options += [(f"rrf k={k:g}", _rrf(k, 1.0, 1.0)) for k in (10, 30, 60, 100)]
    options += [(f"rrf k={default_k:g} dense weight {w}", _rrf(default_k, w, 1.0)) for w in (0.5, 0.75, 1.5)]
    options += [
        (f"sum {norm} dense share {share}", _weighted_sum(norm, share))
        for norm in ("max", "min-max", "z") for share in (0.3, 0.5, 0.7)
    ]
    return options


def _rrf(k: float, dense_weight: float, keyword_weight: float) -> Ranker:
    def ranker(candidates: Candidates) -> list[str]:
        dense, keyword, facts = candidates
        lists = [search.RankedList([c for c, _ in dense], dense_weight), search.RankedList([c for c, _ in keyword], keyword_weight)]
        return [facts[chunk].article_id for chunk, _ in search.fuse(lists, facts, rrf_k=k, per_article=True)]

    return ranker


def _weighted_sum(norm: str, dense_share: float) -> Ranker:
    def ranker(candidates: Candidates) -> list[str]:
        dense, keyword, facts = candidates
        dense_scores, keyword_scores = _normalised(dense, norm), _normalised(keyword, norm)
        dense_floor, keyword_floor = min(dense_scores.values(), default=0.0), min(keyword_scores.values(), default=0.0)
        best: dict[str, float] = {}
        for chunk in dense_scores.keys() | keyword_scores.keys():
            score = dense_share * dense_scores.get(chunk, dense_floor) + (1 - dense_share) * keyword_scores.get(chunk, keyword_floor)
            article = facts[chunk].article_id
            best[article] = max(best.get(article, -np.inf), score)
        return sorted(best, key=lambda article: -best[article])

    return ranker


def _normalised(scored: Scored, norm: str) -> dict[int, float]:
    if not scored:
        return {}
    values = np.array([score for _, score in scored])
    if norm == "max":
        values = values / (values.max() or 1.0)
    elif norm == "min-max":
        values = (values - values.min()) / ((values.max() - values.min()) or 1.0)
    else:
        values = (values - values.mean()) / (values.std() or 1.0)
    return {chunk: float(value) for (chunk, _), value in zip(scored, values)}


if __name__ == "__main__":
    main()
