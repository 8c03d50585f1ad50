"""Pseudo-relevance feedback (PRF) on a benchmark's cached index: does a second retrieval round, fed by
the first round's best chunks, rank the relevant article higher?

    .venv/bin/python bench/prf_sweep.py ../shared/bench/realtimeqa --index ~/.cache/article-qa/rtqa-default
    .venv/bin/python bench/prf_sweep.py ../shared/bench/scifact --index ~/.cache/article-qa/scifact-8346e1908f366a07

The first stage is the product's hybrid search (qa.search._candidates and qa.search._fused, as Index.search
runs them, with the index's RankSettings). Each variant then changes one or both retriever lists and
fuses again with qa.search._fused (same RRF, lead vote, date bonus, one passage per article). Every
variant is scored through qa.eval.evaluate, without and (when the questions have dates) with the
question date as as_of. Variants:

- dense Rocchio: q' = normalize(alpha*q + (1-alpha)*mean(vectors of the m feedback chunks)), dense list
  re-run with q' (feedback chunks: the first-stage hybrid top m, BM25's top m, or dense's top m);
- dense Rocchio added: as above but the PRF dense list is fused as a third list beside the original one;
- RM3-style BM25: the n stems with the highest (term frequency in the m feedback chunks x BM25 idf),
  query stems excluded, added to the query with weights; BM25 scores computed as the weighted sum of the
  index's own precomputed per-term BM25 columns (bm25s cannot weight query terms): original stems
  lambda/|q| each, expansion stems (1-lambda) * their share of the tf x idf mass (feedback chunks: the
  first-stage hybrid top m, or BM25's own top m as in classic RM3); "rm3 n=0" checks that this weighted
  scoring gives back the product's BM25 ranking;
- RM3 added: the expanded BM25 ranking fused as a further list (weight w) beside the original BM25 one,
  i.e. the two BM25 rankings combined by RRF inside the product's fusion;
- both: the dense Rocchio list and the RM3 BM25 list together.

Per-question reciprocal ranks are kept for a paired bootstrap of the MRR@10 difference against the
baseline. Tune on the whole question set, never on single questions.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import benchmark_index  # noqa: E402
import qa  # noqa: E402
from qa import search  # noqa: E402
from qa.evaluate import DEPTH, Query, duplicate_aliases, evaluate, reciprocal_rank, distinct_articles  # noqa: E402
from qa.types import Filters  # noqa: E402
from qa.store.keywords import KeywordIndex  # noqa: E402

COLUMNS = ("recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10", "answer_in_passages@5")


@dataclass(frozen=True)
class Variant:
    name: str
    dense: tuple | None = None  # (source, m, alpha, added)
    rm3: tuple | None = None  # (m, n, lam, feedback source, weight of an added list or 0 to replace BM25's)


def grid() -> list[Variant]:
    variants = [Variant("baseline")]
    for source in ("hybrid", "bm25"):
        for m in (3, 5, 10):
            for alpha in (0.5, 0.7):
                variants.append(Variant(f"rocchio src={source} m={m} a={alpha}", dense=(source, m, alpha, False)))
    for m in (3, 5, 10):  # classic vector PRF: feedback from the dense list itself
        for alpha in (0.5, 0.7):
            variants.append(Variant(f"rocchio src=dense m={m} a={alpha}", dense=("dense", m, alpha, False)))
    for m in (3, 5, 10):
        for alpha in (0.5, 0.7):
            variants.append(Variant(f"rocchio-added src=hybrid m={m} a={alpha}", dense=("hybrid", m, alpha, True)))
    variants.append(Variant("rm3 n=0 (check: equals baseline)", rm3=(3, 0, 1.0, "hybrid", 0.0)))
    for m in (3, 5, 10):
        for n in (5, 10, 20):
            for lam in (0.5, 0.7):
                variants.append(Variant(f"rm3 m={m} n={n} lam={lam}", rm3=(m, n, lam, "hybrid", 0.0)))
    for m in (3, 5, 10):
        variants.append(Variant(f"rm3 m={m} n=10 lam=0.9", rm3=(m, 10, 0.9, "hybrid", 0.0)))
    for m in (3, 5, 10):  # classic RM3: feedback from BM25's own top chunks
        variants.append(Variant(f"rm3 src=bm25 m={m} n=10 lam=0.7", rm3=(m, 10, 0.7, "bm25", 0.0)))
    for weight in (0.5, 1.0):  # the expanded BM25 ranking fused beside the original one (RRF of the two)
        for m in (3, 10):
            variants.append(Variant(f"rm3-added w={weight} m={m} n=10 lam=0.5", rm3=(m, 10, 0.5, "hybrid", weight)))
    for m in (3, 5):
        variants.append(
            Variant(f"rocchio+rm3 src=hybrid m={m} a=0.7 n=10 lam=0.7", dense=("hybrid", m, 0.7, False),
                    rm3=(m, 10, 0.7, "hybrid", 0.0))
        )
    return variants


class FirstStage:
    """One query's first-stage lists, facts and fused ranking (as the product computes them)."""

    def __init__(self, lists, facts, fused, request, vector) -> None:
        self.lists, self.facts, self.fused, self.request, self.vector = lists, facts, fused, request, vector


class Runner:
    def __init__(self, index, bench) -> None:
        self.index, self.store, self.settings = index, index.store, index.ranking
        self.keywords = KeywordIndex.load_newest(self.store.folder)
        retriever = self.keywords.retriever
        assert retriever.nonoccurrence_array is None, "weighted BM25 below assumes lucene scoring"
        self.data, self.indices, self.indptr = (retriever.scores[key] for key in ("data", "indices", "indptr"))
        self.num_docs = int(retriever.scores["num_docs"])
        df = np.diff(np.asarray(self.indptr)).astype(np.float64)
        self.idf = np.log(1 + (self.num_docs - df + 0.5) / (df + 0.5))
        self.vocab = retriever.vocab_dict
        ids = np.asarray(self.keywords.chunk_ids)
        self.row_of = {int(c): row for row, c in enumerate(ids)}
        self.vectors: dict[str, np.ndarray] = {}
        self.first: dict[tuple[str, bool], FirstStage] = {}
        self.prf_seconds: dict[str, list[float]] = {}
        self.bench = bench

    def embed(self, text: str) -> np.ndarray:
        if text not in self.vectors:
            self.vectors[text] = self.index.embed_query(text)
        return self.vectors[text]

    def request(self, query: Query, dated: bool) -> search.SearchRequest:
        filters = Filters(as_of=query.date) if dated and query.date else Filters()
        return search.SearchRequest(query=query.text, k=DEPTH, filters=filters, mode="hybrid", settings=self.settings)

    def first_stage(self, query: Query, dated: bool) -> FirstStage:
        key = (query.id, dated)
        if key not in self.first:
            request = self.request(query, dated)
            vector = self.embed(query.text)
            done: Future = Future()
            done.set_result(vector)
            with self.store.view() as view:
                lists, facts = search.candidates(view, request, done)
                fused = search.fused(lists, facts, request)
            self.first[key] = FirstStage(lists, facts, fused, request, vector)
        return self.first[key]

    # -- the variants ----------------------------------------------------------------------

    def search(self, variant: Variant, query: Query, dated: bool):
        stage = self.first_stage(query, dated)
        with self.store.view() as view:
            if variant.dense is None and variant.rm3 is None:
                return view.hits(stage.fused[:DEPTH])
            started = time.perf_counter()
            dense_list, bm25_list = stage.lists  # _candidates puts dense first
            extra: list[search.RankedList] = []
            depth = max(self.settings.candidates, DEPTH)
            if variant.dense is not None:
                source, m, alpha, added = variant.dense
                feedback = self._feedback(stage, source, m)
                new_dense = dense_list
                if feedback:
                    mean = self.store.database.vectors_of(np.asarray(feedback)).mean(axis=0)
                    q = alpha * stage.vector + (1 - alpha) * mean
                    q = (q / np.linalg.norm(q)).astype(np.float32)
                    ids = [c for c, _ in view.nearest(q, depth, stage.request.filters)]
                    new_dense = search.RankedList(ids, self.settings.dense_weight)
                if added:
                    extra.append(new_dense)
                else:
                    dense_list = new_dense
            if variant.rm3 is not None:
                m, n, lam, source, added_weight = variant.rm3
                feedback = self._feedback(stage, source, m)
                ids = self._rm3(view, query.text, feedback, n, lam, depth, stage.request.filters)
                if ids is not None:
                    if added_weight:
                        extra.append(search.RankedList(ids, added_weight))
                    else:
                        bm25_list = search.RankedList(ids)
            lists = [dense_list, bm25_list, *extra]
            new_ids = {c for ranked in lists for c in ranked.chunk_ids} - stage.facts.keys()
            facts = {**stage.facts, **view.chunk_facts(sorted(new_ids))} if new_ids else stage.facts
            lists = [search.RankedList([c for c in r.chunk_ids if c in facts], r.weight, r.picks_passage) for r in lists]
            fused = search.fused(lists, facts, stage.request)
            self.prf_seconds.setdefault(variant.name, []).append(time.perf_counter() - started)
            return view.hits(fused[:DEPTH])

    @staticmethod
    def _feedback(stage: FirstStage, source: str, m: int) -> list[int]:
        if source == "hybrid":
            return [c for c, _ in stage.fused[:m]]
        ranked = stage.lists[0] if source == "dense" else stage.lists[1]
        return list(ranked.chunk_ids[:m])

    def _rm3(self, view, text: str, feedback: list[int], n: int, lam: float, depth: int, filters: Filters):
        stems = {self.vocab[s] for s in self.keywords._query_stems(text) if s and s in self.vocab}
        if not stems or not feedback:
            return None
        counts: dict[int, int] = {}
        for chunk in feedback:
            row = self.row_of.get(int(chunk))
            if row is None:
                continue
            tokens = np.asarray(self.keywords.tokens[self.keywords.offsets[row] : self.keywords.offsets[row + 1]])
            ids, tf = np.unique(tokens, return_counts=True)
            for t, c in zip(ids.tolist(), tf.tolist()):
                counts[t] = counts.get(t, 0) + c
        scored = sorted(((c * self.idf[t], t) for t, c in counts.items() if t not in stems), reverse=True)[:n]
        weights = {t: lam / len(stems) for t in stems}
        total = sum(s for s, _ in scored) or 1.0
        for s, t in scored:
            weights[t] = weights.get(t, 0.0) + (1 - lam) * s / total
        scores = np.zeros(self.num_docs, dtype=np.float64)
        for t, w in weights.items():
            start, end = int(self.indptr[t]), int(self.indptr[t + 1])
            scores[np.asarray(self.indices[start:end])] += w * np.asarray(self.data[start:end], dtype=np.float64)
        if filters:
            allowed = self.store.database.chunk_ids_matching(filters)
            scores *= np.isin(np.asarray(self.keywords.chunk_ids), allowed, assume_unique=True)
        matching = np.flatnonzero(scores > 0)
        if len(matching) > depth:
            matching = matching[np.argpartition(-scores[matching], depth - 1)[:depth]]
        best = matching[np.argsort(-scores[matching], kind="stable")]
        return [int(self.keywords.chunk_ids[row]) for row in best]


def bootstrap(diff: np.ndarray, resamples: int = 10000, seed: int = 7) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(diff), size=(resamples, len(diff)))
    means = diff[picks].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    benchmark_index.add_options(parser)
    parser.add_argument("--only", action="append", default=[], help="run only variants with these names")
    args = parser.parse_args()
    print(f"# qa from {qa.__file__}", flush=True)
    variants = [v for v in grid() if not args.only or v.name in args.only or v.name == "baseline"]
    with benchmark_index.opened(args) as (bench, index):
        aliases = duplicate_aliases(bench.articles())
        runner = Runner(index, bench)
        settings_list = [False] + ([True] if any(q.date for q in bench.queries) else [])
        relevant = {q.id: frozenset(aliases.get(a, a) for a in q.relevant) for q in bench.queries}
        rr: dict[tuple[str, bool], np.ndarray] = {}
        summary: dict[tuple[str, bool], dict] = {}
        print("\t".join(["variant", "as_of", *COLUMNS, "prf_ms_p50"]), flush=True)
        for dated in settings_list:  # the product itself, uncached: the baseline below must equal it

            def product(query: Query, dated=dated):
                return index.search(query.text, DEPTH, mode="hybrid", filters=Filters(as_of=query.date if dated else None))

            figures = evaluate(bench, product, aliases)
            print("\t".join(["product Index.search", "date" if dated else "-",
                             *(f"{figures.get(c, float('nan')):.3f}" for c in COLUMNS), "-"]), flush=True)
        for variant in variants:
            for dated in settings_list:
                seen: dict[str, list] = {}

                def searched(query: Query, variant=variant, dated=dated, seen=seen):
                    hits = runner.search(variant, query, dated)
                    seen[query.id] = hits
                    return hits

                figures = evaluate(bench, searched, aliases)
                rr[variant.name, dated] = np.array([
                    reciprocal_rank(distinct_articles(h.article_id for h in seen[q.id]), relevant[q.id])
                    for q in bench.queries
                ])
                summary[variant.name, dated] = figures
                prf = runner.prf_seconds.pop(variant.name, [])
                prf_ms = f"{1000 * statistics.median(prf):.2f}" if prf else "-"
                print("\t".join([
                    variant.name, "date" if dated else "-",
                    *(f"{figures.get(c, float('nan')):.3f}" for c in COLUMNS), prf_ms,
                ]), flush=True)

        # The best by mean MRR@10 over the settings run; its paired bootstrap against the baseline.
        def score(name: str) -> float:
            return statistics.mean(summary[name, d]["mrr@10"] for d in settings_list)

        ranked = sorted((v.name for v in variants if v.name != "baseline" and "check" not in v.name), key=score, reverse=True)
        print("\n# paired bootstrap (10000 resamples) of the per-question reciprocal-rank difference vs baseline")
        for name in ranked[:5]:
            for dated in settings_list:
                diff = rr[name, dated] - rr["baseline", dated]
                low, high = bootstrap(diff)
                print(
                    f"{name}\t{'date' if dated else '-'}\tdelta {diff.mean():+.4f}\t95% [{low:+.4f}, {high:+.4f}]"
                    f"\twins {int((diff > 0).sum())} losses {int((diff < 0).sum())}",
                    flush=True,
                )

        # End-to-end latency, query embedding included: product search vs the best variant (no date).
        best = next(v for v in variants if v.name == ranked[0])
        queries = bench.queries
        index.search(queries[0].text, DEPTH)
        product, prf = [], []
        for q in queries:
            started = time.perf_counter()
            index.search(q.text, DEPTH, mode="hybrid")
            product.append(time.perf_counter() - started)
            runner.vectors.clear()
            runner.first.clear()
            started = time.perf_counter()
            runner.search(best, q, False)
            prf.append(time.perf_counter() - started)
        print(
            f"\n# latency p50 (ms, {len(queries)} queries, no date): product search {1000 * statistics.median(product):.1f}"
            f"; first stage + PRF ({best.name}) {1000 * statistics.median(prf):.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
