"""The keyword side of ranking on a benchmark's cached index (issue 4): BM25 parameters, two more
article-level keyword votes, and where the relevant article ranks in each retriever.

    .venv/bin/python bench/keyword_sweep.py ../shared/bench/realtimeqa --index ~/.cache/article-qa/rtqa-default

Each question's dense candidates are read once, with and without its date. Each BM25 variant is built
from the token ids the index stores, and searched with the product's KeywordIndex.search; candidates
are then ranked with the product's fusion (qa.search: lead vote, date vote, one passage per article).
The article-level votes are bm25s indexes over whole articles (headline only; headline and text)
whose ranking of articles counts like the lead vote. Tune on the whole question set, never on one.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import bm25s
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import benchmark_index  # noqa: E402
from qa import search  # noqa: E402
from qa.evaluate import Query, Tally, duplicate_aliases  # noqa: E402
from qa.types import Filters  # noqa: E402
from qa.store.keywords import B, K1, KeywordIndex, _tokenizer  # noqa: E402
from qa.types import Hit  # noqa: E402

COLUMNS = ("recall@1", "recall@5", "recall@10", "mrr@10")
BM25_PARAMETERS = [(1.5, 0.75), (1.2, 0.75), (1.2, 0.5), (1.5, 0.9), (2.0, 0.75), (K1, B)]
ARTICLE_VOTES = [("headline-only BM25", "headline", 0.25), ("whole-article BM25", "whole", 0.5), ("whole-article BM25", "whole", 1.0)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    benchmark_index.add_options(parser)
    args = parser.parse_args()
    with benchmark_index.opened(args) as (bench, index):
        store, settings = index.store, index.ranking
        aliases = duplicate_aliases(bench.articles())
        stored = KeywordIndex.load_newest(store.folder)
        allowed = {q.id: store.database.chunk_ids_matching(Filters(as_of=q.date)) for q in bench.queries if q.date}
        vectors = {q.id: index.embed_query(q.text) for q in bench.queries}
        with store.view() as view:
            dense = {
                (q.id, dated): [c for c, _ in view.nearest(vectors[q.id], settings.candidates, _filters(q, dated))]
                for q in bench.queries for dated in (False, True)
            }

        def keyword(variant: KeywordIndex) -> dict:
            return {
                (q.id, dated): [c for c, _ in variant.search(q.text, settings.candidates, allowed.get(q.id) if dated else None)]
                for q in bench.queries for dated in (False, True)
            }

        def report(name: str, keywords: dict, *, with_dense: bool = True, votes: dict | None = None, weight: float = 0.0) -> None:
            for dated in (False, True):
                tally = Tally()
                for q in bench.queries:
                    lists = [search.RankedList(dense[q.id, dated], settings.dense_weight)] if with_dense else []
                    lists.append(search.RankedList(keywords[q.id, dated]))
                    extra = [search.RankedList(votes[q.id, dated], weight, picks_passage=False)] if votes else []
                    ranked = _fused(store, settings, q, dated, lists, extra)
                    relevant = frozenset(aliases.get(a, a) for a in q.relevant)
                    tally.add(q, [Hit(a, "", 0, 0, 0.0) for a in ranked], relevant, 0.0)
                figures = tally.figures()
                print("\t".join([name, "date" if dated else "-", *(f"{figures[c]:.3f}" for c in COLUMNS)]), flush=True)

        print("\t".join(["variant", "as_of", *COLUMNS]))
        for k1, b in BM25_PARAMETERS:
            keywords = keyword(_with_parameters(stored, k1, b))
            report(f"bm25, k1 {k1} b {b}", keywords, with_dense=False)
            report(f"hybrid, k1 {k1} b {b}", keywords)
        default = keyword(stored)
        for name, field, weight in ARTICLE_VOTES:
            report(f"hybrid + {name} vote {weight}", default, votes=_article_votes(store, bench.queries, field), weight=weight)
        _gold_places(index, bench.queries, aliases)


def _filters(query: Query, dated: bool) -> Filters:
    return Filters(as_of=query.date) if dated and query.date else Filters()


def _fused(store, settings: search.RankSettings, query: Query, dated: bool, lists: list, votes: list) -> list[str]:
    with store.view() as view:
        facts = view.chunk_facts(sorted({c for ranked in lists + votes for c in ranked.chunk_ids}))
    lists = lists + [search.lead_list(ranked, facts, settings.lead_weight) for ranked in lists] + votes
    bonus = (
        search.recency_bonus(query.date, days=settings.recency_days, weight=settings.recency_weight)
        if dated and query.date else (lambda facts: 0.0)
    )
    fused = search.fuse(lists, facts, rrf_k=settings.rrf_k, per_article=True, bonus=bonus)
    return [facts[chunk].article_id for chunk, _ in fused][:10]


def _with_parameters(stored: KeywordIndex, k1: float, b: float) -> KeywordIndex:
    lengths = np.diff(stored.offsets)
    token_lists = [part.tolist() for part in np.split(np.asarray(stored.tokens), np.cumsum(lengths)[:-1])]
    retriever = bm25s.BM25(k1=k1, b=b)
    retriever.index((token_lists, dict(stored.retriever.vocab_dict)), show_progress=False)
    return replace(stored, retriever=retriever)


def _article_votes(store, queries: list[Query], field: str) -> dict:
    """Each question's articles ranked by BM25 over the headline (or headline and text), as the chunk
    ids of their leads, so that they vote like the lead vote; never articles from after the date."""
    articles, rowid = [], 0
    while rows := store.articles_after(rowid, 1000):
        articles += [article for _, _, article in rows]
        rowid = rows[-1][0]
    leads = dict(store.database.connection().execute("SELECT article_id, id FROM chunks WHERE ordinal = 0"))
    tokenizer = _tokenizer()
    texts = [a.title if field == "headline" else f"{a.title}\n{a.text}" for a in articles]
    retriever = bm25s.BM25(k1=K1, b=B)
    retriever.index(tokenizer.tokenize(texts, return_as="tuple", show_progress=False), show_progress=False)
    votes = {}
    for q in queries:
        stems = _tokenizer().tokenize([q.text], update_vocab=True, return_as="string", show_progress=False)[0]
        ids = sorted({retriever.vocab_dict[s] for s in stems if s and s in retriever.vocab_dict})
        scores = retriever.get_scores(ids) if ids else np.zeros(len(articles))
        order = [i for i in np.argsort(-scores)[:100] if scores[i] > 0]
        for dated in (False, True):
            kept = [articles[i] for i in order if not (dated and q.date and articles[i].published > q.date)]
            votes[q.id, dated] = [leads[a.id] for a in kept if a.id in leads]
    return votes


def _gold_places(index, queries: list[Query], aliases: dict, depth: int = 300) -> None:
    """How often a relevant article is first, in the first 10, and among the candidates of each retriever
    alone (the first ``depth`` chunks, collapsed to articles), without dates."""
    counts = {"dense": [0, 0, 0], "bm25": [0, 0, 0]}
    for q in queries:
        relevant = {aliases.get(a, a) for a in q.relevant}
        for mode in counts:
            articles = list(dict.fromkeys(hit.article_id for hit in index.search(q.text, depth, mode=mode)))
            place = next((n for n, a in enumerate(articles, 1) if a in relevant), None)
            if place:
                counts[mode][0] += place == 1
                counts[mode][1] += place <= 10
                counts[mode][2] += 1
    for mode, (first, top10, found) in counts.items():
        print(f"# {mode}: a relevant article first for {first} of {len(queries)} questions, in the first 10 for "
              f"{top10}, among the candidates for {found}")


if __name__ == "__main__":
    main()
