"""`qa eval`: metrics against hand-computed values, benchmark loaders, the index cache, and (on the real
benchmark data, when its cached index is present) the calibration and target figures."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from qa import evaluate
from qa.cli import main
from qa.evaluate import (
    CACHE_MARKER,
    Query,
    Tally,
    answer_in_passages,
    cached_index_path,
    distinct_articles,
    duplicate_aliases,
    load_benchmark,
    ndcg_at,
    percentile,
    recall_at,
    reciprocal_rank,
)
from qa.errors import QAError
from qa.types import Article, Filters, Hit

# -- metrics -----------------------------------------------------------------------------------


def test_distinct_articles_keeps_first_occurrences_in_order():
    assert distinct_articles(["b", "a", "b", "c", "a"]) == ["b", "a", "c"]


def test_recall_counts_a_question_once_it_has_any_relevant_article_in_the_cutoff():
    ranked = ["x", "y", "a", "z", "b"]
    assert [recall_at(ranked, frozenset({"a", "b"}), k) for k in (1, 2, 3, 10)] == [0.0, 0.0, 1.0, 1.0]


def test_reciprocal_rank_is_one_over_the_first_relevant_place_within_ten():
    assert reciprocal_rank(["x", "y", "a", "b"], frozenset({"a", "b"})) == pytest.approx(1 / 3)
    assert reciprocal_rank(["x"] * 10 + ["a"], frozenset({"a"})) == 0.0
    assert reciprocal_rank([], frozenset({"a"})) == 0.0


def test_ndcg_with_binary_gains_against_the_ideal_order():
    # Relevant at places 2 and 4: (1/log2(3) + 1/log2(5)) / (1 + 1/log2(3)).
    assert ndcg_at(["x", "a", "y", "b"], frozenset({"a", "b"})) == pytest.approx(0.6509209298)
    assert ndcg_at(["a", "b", "x"], frozenset({"a", "b"})) == pytest.approx(1.0)
    # One relevant of two found at place 1: 1 / (1 + 1/log2(3)).
    assert ndcg_at(["a", "x"], frozenset({"a", "b"})) == pytest.approx(0.6131471928)
    assert ndcg_at(["x"] * 10 + ["a"], frozenset({"a"})) == 0.0


def test_answer_matching_ignores_case_and_quotation_marks():
    passages = ["Netflix said on Sunday that it renewed 'squid game'.", "other"]
    assert answer_in_passages(passages, "\u201cSquid Game\u201d") == 1.0
    assert answer_in_passages(["O\u2019Brien resigned"], "O'Brien") == 1.0
    assert answer_in_passages(["x"] * 5 + ["Squid Game"], "Squid Game") == 0.0  # beyond the first five
    assert answer_in_passages(["anything"], "") == 0.0


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(10, 0, -1)]
    assert (percentile(values, 0.5), percentile(values, 0.95), percentile(values, 0.0)) == (5.0, 10.0, 1.0)


def hit(article_id: str, text: str = "") -> Hit:
    return Hit(article_id=article_id, text=text, start=0, end=len(text), score=0.0)


def test_tally_averages_over_queries_and_collapses_passages_to_articles():
    tally = Tally()
    first = Query("q1", "who?", frozenset({"a"}), answer="Kyiv")
    second = Query("q2", "what?", frozenset({"b"}))
    tally.add(first, [hit("x", "in Kyiv"), hit("x"), hit("a")], first.relevant, 0.010)
    tally.add(second, [hit("b")], second.relevant, 0.030)
    figures = tally.figures()
    # q1: the second *article* is relevant, although it is the third passage.
    assert figures["recall@1"] == 0.5 and figures["recall@5"] == 1.0
    assert figures["mrr@10"] == pytest.approx((0.5 + 1.0) / 2, abs=1e-4)
    assert figures["answer_in_passages@5"] == 1.0  # only q1 carries an answer
    assert (figures["latency_ms_p50"], figures["latency_ms_p95"]) == (10.0, 30.0)


# -- loaders -----------------------------------------------------------------------------------


def write_lines(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


NEWS = [
    {"id": "n1", "title": "Port strike", "published": "2022-03-01",
     "text": "Dock workers went on strike in Rotterdam. The port closed for two days."},
    {"id": "n2", "title": "Harvest", "published": "2022-03-02",
     "text": "Farmers reported a record wheat harvest in Kansas this summer."},
    {"id": "n3", "title": "", "published": "2022-03-02",
     "text": "Farmers reported a record wheat harvest in Kansas this summer."},
]


@pytest.fixture()
def news_bench(tmp_path: Path) -> Path:
    folder = tmp_path / "news"
    write_lines(folder / "articles.jsonl", NEWS)
    write_lines(folder / "questions.jsonl", [
        {"id": "q1", "question": "Where did dock workers strike?", "date": "2022-03-03", "answer": "Rotterdam",
         "gold": ["n1"]},
        {"id": "q2", "question": "Where was the wheat harvest a record?", "date": "2022-03-04",
         "answer": "\u201cKansas\u201d", "gold": ["n3"]},
    ])
    return folder


def test_news_layout_loads_questions_with_gold_dates_and_answers(news_bench):
    bench = load_benchmark(news_bench)
    assert (bench.name, bench.layout, len(bench.queries)) == ("news", "articles", 2)
    assert bench.queries[1] == Query("q2", "Where was the wheat harvest a record?", frozenset({"n3"}),
                                     date="2022-03-04", answer="\u201cKansas\u201d")
    assert [a.id for a in bench.articles()] == ["n1", "n2", "n3"]


def test_beir_layout_keeps_judged_queries_and_positive_judgements(tmp_path):
    folder = tmp_path / "beir"
    write_lines(folder / "corpus.jsonl", [{"_id": "d1", "title": "T", "text": "x"}, {"_id": "d2", "text": " "}])
    write_lines(folder / "queries.jsonl", [{"_id": "1", "text": "a?"}, {"_id": "2", "text": "b?"}])
    (folder / "qrels").mkdir()
    (folder / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n1\td1\t1\n1\td2\t0\n", encoding="utf-8")
    bench = load_benchmark(folder)
    assert bench.layout == "beir"
    assert bench.queries == (Query("1", "a?", frozenset({"d1"})),)
    loaded = list(bench.articles())
    assert loaded[0] == Article(id="d1", text="x", title="T", origin=f"{folder / 'corpus.jsonl'}:1")
    assert "empty text" in str(loaded[1])
    assert bench.default_chunking()["chunk_tokens"] == 0


def test_a_folder_of_neither_layout_is_a_clear_error(tmp_path):
    with pytest.raises(QAError, match="not a benchmark folder"):
        load_benchmark(tmp_path)


def test_duplicate_texts_alias_to_the_first_id_like_ingest(news_bench):
    assert duplicate_aliases(load_benchmark(news_bench).articles()) == {"n3": "n2"}


# -- the cached index --------------------------------------------------------------------------


def test_cache_key_follows_corpus_model_and_chunking_and_lives_in_qa_cache(news_bench, tmp_path, monkeypatch):
    monkeypatch.setenv("QA_CACHE", str(tmp_path / "cache"))
    bench = load_benchmark(news_bench)
    chunking = bench.default_chunking()
    path = cached_index_path(bench, "m", chunking, "torch")
    assert path.parent == tmp_path / "cache" and path.name.startswith("news-")
    assert cached_index_path(bench, "m", chunking, "torch") == path
    assert cached_index_path(bench, "other", chunking, "torch") != path
    assert cached_index_path(bench, "m", chunking, "openvino-int8") != path
    assert cached_index_path(bench, "m", {**chunking, "chunk_tokens": 128}, "torch") != path
    with open(bench.corpus, "a", encoding="utf-8") as corpus:
        corpus.write(json.dumps({"id": "n4", "text": "More news."}) + "\n")
    assert cached_index_path(bench, "m", chunking, "torch") != path


def test_eval_builds_the_index_once_then_reuses_it(news_bench, tmp_path, monkeypatch, tiny_model_path, capsys):
    from qa.embed import SentenceTransformerEmbedder

    monkeypatch.setenv("QA_CACHE", str(tmp_path / "cache"))
    embedded: list[int] = []
    real = SentenceTransformerEmbedder.embed_documents

    def counting(self, texts, **kwargs):
        embedded.append(len(texts))
        return real(self, texts, **kwargs)

    monkeypatch.setattr(SentenceTransformerEmbedder, "embed_documents", counting)
    argv = ["eval", str(news_bench), "--model", str(tiny_model_path), "--backend", "torch", "--mode", "bm25", "--json"]
    assert main(argv) == 0
    first = json.loads(capsys.readouterr().out)
    assert sum(embedded) == first["chunks"] > 0 and first["articles"] == 3  # n3, n2's twin, is a copy of its story
    assert main(argv) == 0
    second = json.loads(capsys.readouterr().out)
    assert sum(embedded) == first["chunks"]  # nothing embedded the second time
    assert Path(second["index"], CACHE_MARKER).is_file()
    # Keyword search finds both stories; q2's gold n3 counts whether it is shown or in its twin's also_in.
    assert (second["queries"], second["recall@1"], second["mrr@10"]) == (2, 1.0, 1.0)
    assert second["answer_in_passages@5"] == 1.0


def test_search_as_of_a_date_never_returns_later_articles(news_bench, tmp_path, monkeypatch, tiny_model_path):
    monkeypatch.setenv("QA_CACHE", str(tmp_path / "cache"))
    bench = load_benchmark(news_bench)
    chunking = bench.default_chunking()
    folder = cached_index_path(bench, str(tiny_model_path), chunking, "torch")
    with evaluate.open_benchmark_index(
        bench, folder, model=str(tiny_model_path), chunking=chunking, backend="torch"
    ) as index:
        hits = index.search("wheat harvest strike", k=10, mode="bm25", filters=Filters(as_of="2022-03-01"))
    assert [hit.published for hit in hits] == ["2022-03-01"]
    dated = evaluate.run(
        news_bench, mode="bm25", use_dates=True, model=str(tiny_model_path), backend="torch", quiet=True
    )
    assert dated["as_of"] == "question date" and dated["recall@1"] == 1.0


# -- the real benchmarks (cached indexes only; building them is not a test's job) --------------

BENCH = Path(__file__).resolve().parents[2] / "shared" / "bench"


def cached_report(name: str, query_backend: str | None = None, **options) -> dict:
    """The eval of the index built by the fp32 reference backend; queries by ``query_backend``, by
    default the product's default backend (whose vectors mix with fp32 ones)."""
    if os.environ.get("CI"):
        pytest.skip("full-benchmark runs stay out of CI")
    folder = BENCH / name
    if not folder.is_dir():
        pytest.skip(f"{folder} not found")
    bench = load_benchmark(folder)
    path = cached_index_path(bench, "all-MiniLM-L6-v2", bench.default_chunking(), "torch")
    if not (path / CACHE_MARKER).is_file():
        pytest.skip(f"no cached index at {path}; build it with `qa eval {folder} --backend torch`")
    return evaluate.run(folder, index_dir=path, backend=query_backend, quiet=True, **options)


@pytest.mark.bench_data
@pytest.mark.minilm
def test_scifact_dense_calibrates_to_the_published_minilm_score():
    assert cached_report("scifact", "torch", mode="dense")["ndcg@10"] == pytest.approx(0.645, abs=0.01)


@pytest.mark.bench_data
@pytest.mark.minilm
def test_scifact_hybrid_beats_both_published_single_retrievers():
    assert cached_report("scifact", mode="hybrid")["ndcg@10"] >= 0.70


# The targets (MRR@10 0.70, R@5 0.85, R@10 0.93; 0.80 with dates) are not reached yet; these
# floors keep what was reached (BENCHMARKS.md), less about one question, from regressing.


@pytest.mark.bench_data
@pytest.mark.minilm
def test_realtimeqa_hybrid_keeps_its_measured_quality():
    report = cached_report("realtimeqa", mode="hybrid")
    assert report["mrr@10"] >= 0.635 and report["recall@5"] >= 0.745 and report["recall@10"] >= 0.87
    assert report["mrr@10"] > cached_report("realtimeqa", mode="dense")["mrr@10"] + 0.1


@pytest.mark.bench_data
@pytest.mark.minilm
def test_realtimeqa_hybrid_as_of_the_question_date_keeps_its_measured_quality():
    report = cached_report("realtimeqa", mode="hybrid", use_dates=True)
    assert report["mrr@10"] >= 0.755 and report["recall@5"] >= 0.88 and report["recall@10"] >= 0.945
