"""The BM25 index: what it finds and how it follows added and removed chunks (its segments and files:
test_keyword_segments.py)."""

from __future__ import annotations

import bm25s
import numpy as np
import pytest

from qa.store.keyword_segment import B, K1
from qa.store.keywords import KeywordIndex

TEXTS = {
    10: "Blinken meets Lavrov\nOur Article 5 commitment extends to NATO allies, Blinken said.",
    11: "Grain deal\nUkraine resumed grain exports from Odesa after the deal.",
    12: "Wheat prices\nWheat prices fell as grain shipments left the Black Sea ports.",
    13: "Zebra crossing\nVolunteers repainted the zebra crossing on Elm Street.",
    14: "Squid Game renewed\nNetflix green-lit a second season of Squid Game.",
}


def texts_of(ids: np.ndarray) -> list[str]:
    return [TEXTS[int(i)] for i in ids]


def built(ids, generation: int = 1) -> KeywordIndex:
    return KeywordIndex.empty().synced(generation, np.array(sorted(ids), dtype=np.int64), texts_of)


def same_ranking(one: list[tuple[int, float]], other: list[tuple[int, float]]) -> bool:
    return [c for c, _ in one] == [c for c, _ in other] and [s for _, s in one] == pytest.approx([s for _, s in other])


def ranked_ids(index: KeywordIndex, query: str, k: int = 10, allowed=None) -> list[int]:
    return [chunk for chunk, _ in index.search(query, k, allowed)]


def test_the_chunk_holding_the_rare_words_comes_first_and_stems_match():
    index = built(TEXTS)
    assert ranked_ids(index, "Which show was green-lit for a new season?")[0] == 14
    assert ranked_ids(index, "shipment of grains")[:2] == [12, 11]  # "shipments", "grain" stemmed alike


def test_one_character_words_count_so_article_5_is_not_article_anything():
    index = built(TEXTS)
    assert ranked_ids(index, "5") == [10]


def test_a_query_of_stopwords_or_unknown_words_finds_nothing():
    index = built(TEXTS)
    assert index.search("what was it about?", 5) == []
    assert index.search("qwertyuiop", 5) == []
    assert KeywordIndex.empty().search("grain", 5) == []


def test_only_chunks_among_the_allowed_ones_are_returned():
    index = built(TEXTS)
    assert ranked_ids(index, "grain wheat", allowed=np.array([11, 13])) == [11]
    assert ranked_ids(index, "grain wheat", allowed=np.array([], dtype=np.int64)) == []


def test_scores_are_those_of_bm25s_over_the_same_texts():
    index = built(TEXTS)
    direct = bm25s.BM25(k1=K1, b=B)
    tokenizer = bm25s.tokenization.Tokenizer(splitter=r"(?u)\b\w+\b", stopwords="en", stemmer=index.tokenizer.stemmer)
    direct.index(tokenizer.tokenize(list(TEXTS.values()), return_as="tuple", show_progress=False), show_progress=False)
    query = "grain exports prices"
    expected = direct.get_scores(tokenizer.tokenize([query], update_vocab=False, return_as="ids", show_progress=False)[0])
    got = dict(index.search(query, 10))
    for row, chunk_id in enumerate(TEXTS):
        assert got.get(chunk_id, 0.0) == pytest.approx(float(expected[row]), abs=1e-6)


def test_syncing_added_and_removed_chunks_equals_building_from_scratch():
    partial = built([10, 11, 12], generation=1)
    synced = partial.synced(2, np.array([11, 12, 13, 14]), texts_of)
    fresh = built([11, 12, 13, 14], generation=2)
    assert synced.generation == 2 and list(synced.chunk_ids) == [11, 12, 13, 14]
    for query in ("grain wheat", "Squid Game season", "Blinken Article 5", "zebra Elm"):
        assert same_ranking(synced.search(query, 10), fresh.search(query, 10))
    assert ranked_ids(synced, "Blinken Lavrov") == []
    assert synced.synced(2, np.array([99]), texts_of) is synced  # same generation: nothing to do


