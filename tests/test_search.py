"""Ranking: rank fusion, the date preference, search modes and reranking."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from qa import search
from qa.cli import main
from qa.config import Settings
from qa.embed import CrossEncoderReranker
from qa.errors import QAError
from qa.index import Index
from qa.store import ChunkFacts
from qa.types import Article, Filters

# -- fusion ------------------------------------------------------------------------------------

FACTS = {
    1: ChunkFacts("a", 0, "2022-06-10"),
    2: ChunkFacts("b", 0, "2022-06-14"),
    3: ChunkFacts("a", 1, "2022-06-10"),
    4: ChunkFacts("c", 0, ""),
}


def test_article_level_rrf_sums_each_article_place_and_shows_its_best_chunk():
    dense = search.RankedList([1, 2, 3])  # articles a, b
    keyword = search.RankedList([4, 3])  # articles c, a
    fused = search.fuse([dense, keyword], FACTS, rrf_k=1, per_article=True)
    # a: 1/(1+1) + 1/(1+2); b: 1/(1+2); c: 1/(1+1). a's chunk 3 (1/4 + 1/3) beats chunk 1 (1/2).
    assert fused == [(3, pytest.approx(5 / 6)), (4, pytest.approx(1 / 2)), (2, pytest.approx(1 / 3))]


def test_chunk_level_rrf_keeps_every_passage():
    fused = search.fuse([search.RankedList([1, 2, 3]), search.RankedList([4, 3])], FACTS, rrf_k=1, per_article=False)
    assert [chunk for chunk, _ in fused] == [3, 1, 4, 2]
    assert dict(fused)[3] == pytest.approx(1 / 4 + 1 / 3)  # third in one list, second in the other


def test_list_weights_scale_their_votes():
    fused = search.fuse(
        [search.RankedList([1], weight=1.0), search.RankedList([2], weight=3.0)], FACTS, rrf_k=1, per_article=True
    )
    assert fused == [(2, pytest.approx(3 / 2)), (1, pytest.approx(1 / 2))]


def test_the_lead_list_is_the_retrievers_ranking_of_first_chunks_only():
    assert search.lead_list(search.RankedList([3, 2, 1, 4], weight=2.0), FACTS, 0.5) == search.RankedList(
        [2, 1, 4], 1.0, picks_passage=False
    )


def test_lead_votes_rank_articles_but_do_not_pick_the_passage_shown():
    # Article "a" has chunks 10 (its lead) and 11; both retrievers rank chunk 11 first.
    facts = {
        10: ChunkFacts("a", 0, ""),
        11: ChunkFacts("a", 1, ""),
    }
    dense, keyword = search.RankedList([11, 10]), search.RankedList([11, 10])
    lists = [dense, keyword] + [search.lead_list(r, facts, 5.0) for r in (dense, keyword)]
    assert [chunk for chunk, _ in search.fuse(lists, facts, rrf_k=60, per_article=True)] == [11]


def test_recency_bonus_decays_with_age_and_skips_undated_articles():
    bonus = search.recency_bonus("2022-06-16", days=2.0, weight=0.5)
    assert bonus(FACTS[2]) == pytest.approx(0.5 * np.exp(-1))  # two days old
    assert bonus(FACTS[1]) == pytest.approx(0.5 * np.exp(-3))
    assert bonus(FACTS[4]) == 0.0


def test_the_date_bonus_is_counted_in_first_place_units():
    fused = search.fuse(
        [search.RankedList([1, 2])], FACTS, rrf_k=1, per_article=True, bonus=lambda facts: float(facts.article_id == "b")
    )
    # b: 1/(1+2) + 1 * 1/(1+1) overtakes a's 1/(1+1).
    assert fused == [(2, pytest.approx(1 / 3 + 1 / 2)), (1, pytest.approx(1 / 2))]


def test_unknown_modes_are_refused():
    with pytest.raises(QAError, match="mode must be one of hybrid, dense, bm25"):
        search.check_mode("sparse")


# -- searching a real index (tiny model: vectors carry no meaning, keywords do) ------------------

NEWS = [
    Article(id="lavrov", title="Lavrov meets envoy", published="2022-06-10",
            text="Russian Foreign Minister Sergei Lavrov met the envoy in Moscow. Lavrov spoke about grain."),
    Article(id="blinken", title="Blinken visits Kyiv", published="2022-06-12",
            text="Secretary of State Antony Blinken met officials in Kyiv. The minister spoke about grain."),
    Article(id="grain-old", title="Grain exports", published="2022-05-01",
            text="Ukraine grain exports fell as ports stayed closed. Wheat prices rose."),
    Article(id="grain-new", title="Grain exports", published="2022-06-15",
            text="Ukraine grain exports rose as ports reopened, officials in Odesa said on Wednesday after a long "
                 "week of talks. Wheat prices fell."),
    Article(id="grain-later", title="Grain deal", published="2022-07-20",
            text="A grain deal reopened the ports of Ukraine. Wheat exports grew."),
    Article(id="final", title="Cup final", published="2022-06-11",
            text="The home side won the cup final after extra time. Fans filled the square."),
    Article(id="storm", title="Storm warning", published="2022-06-13",
            text="Forecasters warned of a storm on the coast. Schools closed early."),
]


@pytest.fixture()
def news_index(tmp_path, tiny_embedder):
    with Index.open(tmp_path / "ix", embedder=tiny_embedder, create=True) as index:
        index.add(NEWS)
        yield index


def test_bm25_mode_ranks_the_exact_name_first(news_index):
    hits = news_index.search("What did Lavrov say about grain?", k=3, mode="bm25")
    assert hits[0].article_id == "lavrov"
    assert "final" not in {hit.article_id for hit in hits}


@pytest.mark.parametrize("mode", search.MODES)
def test_every_mode_returns_distinct_articles_with_exact_passages(news_index, mode):
    hits = news_index.search("grain exports Ukraine", k=5, mode=mode)
    assert len(hits) == len({hit.article_id for hit in hits}) >= 3
    for hit in hits:
        assert news_index.article(hit.article_id).text[hit.start : hit.end] == hit.text
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)


@pytest.mark.parametrize("query", ['NEAR("grain" wheat', "title:grain AND", "grain* -wheat ^", 'he said "grain'])
def test_query_syntax_characters_in_a_question_are_searched_as_words(news_index, query):
    assert news_index.search(query, k=3, mode="bm25")[0].title.startswith("Grain")


def test_a_question_of_stopwords_only_finds_nothing_by_keywords_and_still_searches_vectors(news_index):
    assert news_index.search("what was it?", k=3, mode="bm25") == []
    assert len(news_index.search("what was it?", k=3, mode="hybrid")) == 3


def test_as_of_never_returns_later_articles_and_prefers_recent_ones(news_index):
    hits = news_index.search("Ukraine grain exports wheat prices", k=5, mode="bm25", filters=Filters(as_of="2022-06-16"))
    assert "grain-later" not in {hit.article_id for hit in hits}
    assert hits[0].article_id == "grain-new"  # a match almost as good as grain-old, six weeks more recent
    undated = news_index.search("Ukraine grain exports wheat prices", k=5, mode="bm25")
    assert undated[0].article_id == "grain-old"
    later = news_index.search("Ukraine grain exports wheat prices", k=5, mode="bm25", filters=Filters(as_of="2022-08-01"))
    assert "grain-later" in {hit.article_id for hit in later}


def test_search_cli_takes_mode_and_as_of(news_index, capsys):
    folder = str(news_index.store.folder)
    assert main(["search", "Ukraine grain", "--index", folder, "--mode", "bm25", "--as-of", "2022-06-16",
                 "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert hits and all(hit["published"] <= "2022-06-16" for hit in hits)
    assert main(["search", "grain", "--index", folder, "--as-of", "June 16"]) == 2
    assert "as_of: 'June 16' is not a date" in capsys.readouterr().err


# -- reranking with a real (tiny, random) CrossEncoder ------------------------------------------


def test_a_configured_cross_encoder_reorders_the_results_by_its_scores(tmp_path, tiny_embedder, tiny_cross_encoder):
    from sentence_transformers import CrossEncoder

    query = "grain exports Ukraine"
    with Index.open(tmp_path / "ix", embedder=tiny_embedder, create=True) as index:
        index.add(NEWS)
        first_stage = index.search(query, k=len(NEWS))  # fewer than rerank_depth: all get reranked
    settings = Settings(reranker=str(tiny_cross_encoder))
    with Index.open(tmp_path / "ix", embedder=tiny_embedder, settings=settings) as index:
        assert index.reranker is not None and index.reranker.name == str(tiny_cross_encoder)
        reranked = index.search(query, k=len(NEWS))
    model = CrossEncoder(str(tiny_cross_encoder), device="cpu", local_files_only=True)
    expected = model.predict([(query, f"{hit.title}\n{hit.text}") for hit in first_stage])
    order = np.argsort(-expected, kind="stable")
    assert [hit.article_id for hit in reranked] == [first_stage[i].article_id for i in order]
    np.testing.assert_allclose([hit.score for hit in reranked], expected[order], rtol=1e-5)


def test_search_cli_reranks_with_the_named_cross_encoder(news_index, tiny_cross_encoder, capsys):
    folder = str(news_index.store.folder)
    assert main(["search", "grain", "--index", folder, "--rerank", str(tiny_cross_encoder), "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["hits"]) == 5


def test_an_unloadable_reranker_is_a_clear_error(news_index):
    news_index.reranker = CrossEncoderReranker("/nonexistent/cross-encoder")
    with pytest.raises(QAError, match="cannot load reranker '/nonexistent/cross-encoder'"):
        news_index.search("grain", k=3)


# -- the real model ----------------------------------------------------------------------------


@pytest.mark.minilm
def test_hybrid_keeps_a_named_person_from_drifting_to_a_similar_one(tmp_path, minilm):
    with Index.open(tmp_path / "ix", embedder=minilm, create=True) as index:
        index.add(NEWS)
        for mode in ("hybrid", "bm25"):
            assert index.search("What did Lavrov say about grain?", k=2, mode=mode)[0].article_id == "lavrov"
            assert index.search("What did Blinken say in Kyiv?", k=2, mode=mode)[0].article_id == "blinken"
