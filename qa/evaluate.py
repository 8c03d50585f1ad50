"""`qa eval`: retrieval quality on benchmark folders, at article level, with a cached index.

Two folder layouts are understood:
- articles + questions (RealTime QA): ``articles.jsonl`` (what ``qa ingest`` reads) and ``questions.jsonl``
  with ``question``, ``gold`` article ids and optionally ``date`` and ``answer``;
- BEIR: ``corpus.jsonl`` (``_id``, ``title``, ``text``), ``queries.jsonl`` and ``qrels/test.tsv``.

Metrics follow the benchmark README: ranked passages are collapsed to distinct articles (first occurrence
wins); Recall@k is the share of queries with a relevant article among the first k; MRR@10 and binary nDCG@10.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from qa.config import DEFAULT_MODEL, Settings, cache_root
from qa.embed import DEFAULT_BACKEND, backend_of
from qa.errors import QAError
from qa.types import Article, Filters, Hit, IngestError

CUTOFFS = (1, 5, 10)
DEPTH = 10  # articles ranked per query: the deepest cutoff
ANSWER_DEPTH = 5  # passages searched for the answer text
CACHE_MARKER = "eval-cache.json"
# Whole-document chunking, titles never cut: one vector per document as the published BEIR figures have.
BEIR_CHUNKING = {"chunk_tokens": 0, "overlap_tokens": 0, "title_tokens": 512}
_QUOTES = re.compile("[\u201c\u201d\u2018\u2019\"']")


# -- benchmarks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    id: str
    text: str
    relevant: frozenset[str]  # article ids
    date: str = ""  # when it was asked: the as_of of a news question
    answer: str = ""


@dataclass(frozen=True)
class Benchmark:
    name: str
    layout: str  # "articles" or "beir"
    corpus: Path
    queries: tuple[Query, ...]

    def articles(self) -> Iterator[Article | IngestError]:
        if self.layout == "articles":
            from qa.ingest import read_jsonl

            return read_jsonl(self.corpus)
        return _beir_articles(self.corpus)

    def default_chunking(self) -> dict[str, int]:
        if self.layout == "beir":
            return dict(BEIR_CHUNKING)
        defaults = Settings()
        return {
            "chunk_tokens": defaults.chunk_tokens,
            "overlap_tokens": defaults.overlap_tokens,
            "title_tokens": defaults.title_tokens,
        }


def load_benchmark(folder: str | Path) -> Benchmark:
    folder = Path(folder)
    if (folder / "articles.jsonl").is_file() and (folder / "questions.jsonl").is_file():
        queries = tuple(_news_questions(folder / "questions.jsonl"))
        return Benchmark(folder.name, "articles", folder / "articles.jsonl", queries)
    if (folder / "corpus.jsonl").is_file() and (folder / "queries.jsonl").is_file():
        queries = tuple(_beir_queries(folder / "queries.jsonl", folder / "qrels" / "test.tsv"))
        return Benchmark(folder.name, "beir", folder / "corpus.jsonl", queries)
    raise QAError(
        f"{folder}: not a benchmark folder (expected articles.jsonl + questions.jsonl, "
        "or BEIR's corpus.jsonl + queries.jsonl + qrels/test.tsv)"
    )


def _jsonl(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as error:
                    raise QAError(f"{path}:{number}: invalid JSON ({error.msg})") from None


def _news_questions(path: Path) -> Iterator[Query]:
    for row in _jsonl(path):
        yield Query(
            id=str(row["id"]), text=row["question"], relevant=frozenset(map(str, row["gold"])),
            date=row.get("date") or "", answer=row.get("answer") or "",
        )


def _beir_queries(queries_path: Path, qrels_path: Path) -> Iterator[Query]:
    if not qrels_path.is_file():
        raise QAError(f"{qrels_path}: missing (BEIR judgements, query-id corpus-id score)")
    relevant: dict[str, set[str]] = {}
    with open(qrels_path, encoding="utf-8") as rows:
        for line in rows:
            parts = line.split("\t")
            if len(parts) == 3 and parts[2].strip().lstrip("-").isdigit() and int(parts[2]) > 0:
                relevant.setdefault(parts[0], set()).add(parts[1])
    for row in _jsonl(queries_path):
        if str(row["_id"]) in relevant:
            yield Query(id=str(row["_id"]), text=row["text"], relevant=frozenset(relevant[str(row["_id"])]))


def _beir_articles(path: Path) -> Iterator[Article | IngestError]:
    for number, row in enumerate(_jsonl(path), 1):
        if not str(row.get("text") or "").strip():
            yield IngestError(f"{path}:{number}", "empty text")
            continue
        yield Article(id=str(row["_id"]), text=row["text"], title=row.get("title") or "", origin=f"{path}:{number}")


# -- metrics ---------------------------------------------------------------------------------


def distinct_articles(article_ids: Iterable[str]) -> list[str]:
    """Article ids in ranked order, each at its first occurrence."""
    return list(dict.fromkeys(article_ids))


def recall_at(ranked: Sequence[str], relevant: frozenset[str], k: int) -> float:
    """1 when a relevant article is among the first k, else 0 (the README's per-question Recall@k)."""
    return float(any(article in relevant for article in ranked[:k]))


def reciprocal_rank(ranked: Sequence[str], relevant: frozenset[str], k: int = DEPTH) -> float:
    for rank, article in enumerate(ranked[:k], 1):
        if article in relevant:
            return 1.0 / rank
    return 0.0


def ndcg_at(ranked: Sequence[str], relevant: frozenset[str], k: int = DEPTH) -> float:
    """Binary-relevance nDCG: gains 1/log2(rank + 1), over the best possible ordering."""
    gained = sum(1.0 / math.log2(rank + 1) for rank, article in enumerate(ranked[:k], 1) if article in relevant)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(relevant), k) + 1))
    return gained / ideal if ideal else 0.0


def normalise_answer(text: str) -> str:
    """Case, quotation marks and spacing ignored, so “Squid Game” matches "squid game"."""
    return " ".join(_QUOTES.sub("", text).casefold().split())


def answer_in_passages(passages: Sequence[str], answer: str, k: int = ANSWER_DEPTH) -> float:
    wanted = normalise_answer(answer)
    return float(bool(wanted) and any(wanted in normalise_answer(text) for text in passages[:k]))


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (share in 0..1) of a non-empty sample."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass
class Tally:
    """Per-query scores, summed into the report's figures."""

    scores: dict[str, list[float]] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)

    def add(self, query: Query, hits: Sequence[Hit], relevant: frozenset[str], seconds: float) -> None:
        # A search shows a story once (its other copies in also_in): a relevant copy among them is found
        # at that place, as a relevant article whose twin text was stored is (duplicate_aliases).
        ranked = distinct_articles(
            next((a for a in (hit.article_id, *(c.article_id for c in hit.also_in)) if a in relevant), hit.article_id)
            for hit in hits
        )
        for k in CUTOFFS:
            self._score(f"recall@{k}", recall_at(ranked, relevant, k))
        self._score("mrr@10", reciprocal_rank(ranked, relevant))
        self._score("ndcg@10", ndcg_at(ranked, relevant))
        if query.answer:
            self._score(f"answer_in_passages@{ANSWER_DEPTH}", answer_in_passages([h.text for h in hits], query.answer))
        self.latencies.append(seconds)

    def _score(self, metric: str, value: float) -> None:
        self.scores.setdefault(metric, []).append(value)

    def figures(self) -> dict[str, float]:
        figures = {metric: round(sum(values) / len(values), 4) for metric, values in self.scores.items()}
        if self.latencies:
            figures["latency_ms_p50"] = round(1000 * percentile(self.latencies, 0.50), 2)
            figures["latency_ms_p95"] = round(1000 * percentile(self.latencies, 0.95), 2)
        return figures


# -- running ---------------------------------------------------------------------------------

SearchFunction = Callable[[Query], list[Hit]]


def evaluate(benchmark: Benchmark, search: SearchFunction, aliases: dict[str, str] | None = None) -> dict[str, float]:
    """Figures of ``search`` over the benchmark's queries. ``aliases`` maps an article id to the id the
    index stored its text under, for corpora that hold the same text under two ids."""
    aliases = aliases or {}
    tally = Tally()
    search(benchmark.queries[0])  # warm-up: lazy model loading is not query latency
    for query in benchmark.queries:
        started = time.perf_counter()
        hits = search(query)
        seconds = time.perf_counter() - started
        tally.add(query, hits, frozenset(aliases.get(a, a) for a in query.relevant), seconds)
    return {"queries": len(benchmark.queries), **tally.figures()}


def duplicate_aliases(articles: Iterable[Article | IngestError]) -> dict[str, str]:
    """Map each later id of a text seen under several ids to the first. Indexes built before such copies
    were kept (as copies of one story, found through also_in) stored only the first: with the map, a
    relevant article whose twin was stored still counts as found; in a newer index it changes nothing."""
    from qa.types import text_fingerprint

    first_by_text: dict[str, str] = {}
    aliases: dict[str, str] = {}
    for article in articles:
        if isinstance(article, IngestError):
            continue
        first = first_by_text.setdefault(text_fingerprint(article.text), article.id)
        if first != article.id:
            aliases[article.id] = first
    return aliases


# -- the cached index ------------------------------------------------------------------------


def cache_key(benchmark: Benchmark, model: str, chunking: dict[str, int], backend: str) -> str:
    """What the index depends on: the corpus bytes, the model, the backend that runs it, the chunking."""
    digest = hashlib.sha256()
    with open(benchmark.corpus, "rb") as corpus:
        for block in iter(lambda: corpus.read(1 << 20), b""):
            digest.update(block)
    recipe = {
        "corpus": digest.hexdigest(), "layout": benchmark.layout, "model": model, "backend": backend,
        "chunking": chunking,
    }
    return hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:16]


def cached_index_path(benchmark: Benchmark, model: str, chunking: dict[str, int], backend: str) -> Path:
    return cache_root() / f"{benchmark.name}-{cache_key(benchmark, model, chunking, backend)}"


def open_benchmark_index(
    benchmark: Benchmark,
    folder: Path,
    *,
    model: str,
    chunking: dict[str, int],
    backend: str | None = None,
    reranker: str | None = None,
    quiet: bool = False,
):
    """The index of the benchmark's corpus at ``folder``, built (or completed, after an interruption)
    unless the marker of a finished build is there: a second run embeds nothing. ``backend`` None lets
    the index choose, as for any search: the default backend when its vectors mix with the index's."""
    from qa.index import Index

    settings = Settings.from_env(model=model, backend=backend, reranker=reranker, **chunking)
    index = Index.open(folder, settings=settings, create=True)
    if (folder / CACHE_MARKER).is_file():
        index.ensure_stories()  # an index cached before stories were grouped: searched as users search
        return index
    report = _ingest(index, benchmark.articles(), quiet)
    if report.failed and not quiet:
        print(f"eval: {len(report.failed)} documents not indexed, e.g. {report.failed[0]}", file=sys.stderr)
    marker = {"benchmark": benchmark.name, "corpus": str(benchmark.corpus), **index.store.counts()}
    (folder / CACHE_MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
    return index


def _ingest(index, articles: Iterable[Article | IngestError], quiet: bool):
    from tqdm import tqdm

    with tqdm(unit=" docs", desc="eval index", disable=quiet or None, file=sys.stderr) as bar:
        return index.add(articles, on_progress=bar.update)


def run(
    bench_dir: str | Path,
    *,
    index_dir: str | Path | None = None,
    mode: str = "hybrid",
    use_dates: bool = False,
    model: str = DEFAULT_MODEL,
    chunking: dict[str, int] | None = None,
    backend: str | None = None,
    reranker: str | None = None,
    quiet: bool = False,
) -> dict:
    """Evaluate one mode on one benchmark folder; the report holds the settings and the figures."""
    from qa.search import check_mode

    benchmark = load_benchmark(bench_dir)
    mode = check_mode(mode)
    chunking = chunking or benchmark.default_chunking()
    backend = backend or Settings.from_env().backend
    folder = Path(index_dir) if index_dir else cached_index_path(benchmark, model, chunking, backend or DEFAULT_BACKEND)
    with open_benchmark_index(
        benchmark, folder, model=model, chunking=chunking, backend=backend, reranker=reranker, quiet=quiet
    ) as index:
        aliases = duplicate_aliases(benchmark.articles())

        def search(query: Query) -> list[Hit]:
            as_of = query.date if use_dates else None
            return index.search(query.text, DEPTH, filters=Filters(as_of=as_of), mode=mode)

        figures = evaluate(benchmark, search, aliases)
        built = index.stats()
        index_reranker = index.reranker.name if index.reranker else None
        backends = {"index_backend": index.store.manifest.embedding_backend, "query_backend": backend_of(index.embedder)}
    return {
        "benchmark": benchmark.name, "mode": mode, "as_of": "question date" if use_dates else None,
        "reranker": index_reranker, "index": str(folder), "model": built["model"],
        **backends, "chunking": built["chunking"],
        "articles": built["articles"], "chunks": built["chunks"], **figures,
    }
