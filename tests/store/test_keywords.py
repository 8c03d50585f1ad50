"""The BM25 index: what it finds, how it follows added and removed chunks, and its files on disk."""

from __future__ import annotations

import bm25s
import numpy as np
import pytest

from qa.store.keywords import B, BUILD_VERSION, FOLDER, K1, KeywordIndex

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


def test_a_saved_build_loads_back_and_replaces_older_builds(tmp_path):
    first = built([10, 11], generation=3)
    first.save(tmp_path)
    second = first.synced(4, np.array([10, 11, 12, 13, 14]), texts_of)
    second.save(tmp_path)
    assert sorted(p.name for p in (tmp_path / FOLDER).iterdir()) == [f"4-v{BUILD_VERSION}"]
    loaded = KeywordIndex.load_newest(tmp_path)
    assert loaded.generation == 4
    for query in ("grain wheat", "Squid Game season", "5"):
        assert same_ranking(loaded.search(query, 10), second.search(query, 10))
    # Syncing a loaded (memory-mapped) build works as from one made in this process.
    assert ranked_ids(loaded.synced(5, np.array([13, 14]), texts_of), "zebra") == [13]


def test_an_unfinished_or_foreign_entry_in_the_folder_is_ignored(tmp_path):
    built([10, 11], generation=3).save(tmp_path)
    (tmp_path / FOLDER / ".7.tmpjunk").mkdir()  # a build a killed process did not finish
    (tmp_path / FOLDER / f"9-v{BUILD_VERSION}").mkdir()  # no build.json: not a whole build
    (tmp_path / FOLDER / "12-v0").mkdir()  # a build of an older version is made anew, not read
    assert KeywordIndex.load_newest(tmp_path).generation == 3
    assert KeywordIndex.load_newest(tmp_path / "elsewhere").generation == -1


def test_a_loaded_build_whose_files_another_process_removed_still_syncs(tmp_path):
    built([10, 11], generation=3).save(tmp_path)
    loaded = KeywordIndex.load_newest(tmp_path)
    built([10, 11, 12], generation=4).save(tmp_path)  # as another process would: build 3 is removed
    synced = loaded.synced(5, np.array([10, 11, 12, 13]), texts_of)
    assert same_ranking(synced.search("grain zebra", 10), built([10, 11, 12, 13], generation=5).search("grain zebra", 10))
