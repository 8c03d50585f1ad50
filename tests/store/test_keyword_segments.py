"""The segmented BM25 index: scores equal one index built over the stored chunks, through adds, deletes,
replaces, merges, saves and reopening; a save writes only new segments."""

from __future__ import annotations

import random

import numpy as np
import pytest

from qa.store import keywords
from qa.store.keywords import FOLDER, SEGMENTS, KeywordIndex

WORDS = ("grain wheat port ship harbor council mayor budget school bridge river flood storm vote senate court "
         "judge ruling market price oil gas energy strike union worker hospital doctor vaccine virus season "
         "show film actor award game team coach player goal match league").split()
QUERIES = ("grain port", "mayor budget vote", "virus vaccine hospital doctors", "film award actor", "league goal",
           "storm flood river", "oil gas prices", "court ruling judge senate", "qwerty")


def corpus(count: int, seed: int = 7) -> dict[int, str]:
    rng = random.Random(seed)
    return {100 + n: " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 40))) for n in range(count)}


TEXTS = corpus(400)


def texts_of(ids: np.ndarray) -> list[str]:
    return [TEXTS[int(i)] for i in ids]


def fresh(ids, generation: int = 99) -> KeywordIndex:
    """One index built at once over ``ids``: the reference a segmented one must score like."""
    return KeywordIndex.empty().synced(generation, np.array(sorted(ids), dtype=np.int64), texts_of)


def assert_scores_like_fresh(index: KeywordIndex) -> None:
    reference = fresh(index.chunk_ids)
    assert len(reference.segments) <= 1
    for query in QUERIES:
        got, expected = index.search(query, 50), reference.search(query, 50)
        assert [c for c, _ in got] == [c for c, _ in expected], query
        assert [s for _, s in got] == pytest.approx([s for _, s in expected], rel=1e-5), query


def grown(steps, start: KeywordIndex | None = None, generation: int = 1) -> KeywordIndex:
    """An index synced through each set of stored ids in ``steps``, one generation each."""
    index = start or KeywordIndex.empty()
    for stored in steps:
        index = index.synced(generation, np.array(sorted(stored), dtype=np.int64), texts_of)
        generation += 1
    return index


def test_many_small_adds_score_exactly_like_one_index_and_merge_into_few_segments():
    ids = sorted(TEXTS)
    index = grown([ids[: n + 3] for n in range(0, 300, 3)])  # 100 commits of 3 chunks each
    assert list(index.chunk_ids) == ids[:300]
    assert len(index.segments) <= 6  # merged as they piled up: sizes grow by MERGE_RATIO
    assert_scores_like_fresh(index)


def test_deletes_and_replaces_leave_no_trace_in_results_or_statistics():
    ids = sorted(TEXTS)
    index = grown([ids[:200], ids[:250]])
    # A replace: some chunks deleted and their article's new chunks added in the same commit.
    stored = [i for i in ids[:250] if i % 7] + ids[250:260]
    index = index.synced(10, np.array(stored), texts_of)
    assert list(index.chunk_ids) == stored
    deleted = {i for i in ids[:250] if not i % 7}
    for query in QUERIES:
        assert not deleted & {chunk for chunk, _ in index.search(query, 400)}
    assert_scores_like_fresh(index)
    # Everything deleted: nothing is found, and adding again works from there.
    empty = index.synced(11, np.zeros(0, np.int64), texts_of)
    assert empty.search("grain", 10) == [] and len(empty.chunk_ids) == 0
    assert_scores_like_fresh(empty.synced(12, np.array(ids[300:320]), texts_of))


def test_a_segment_mostly_deleted_is_rewritten_without_its_deleted_chunks():
    ids = sorted(TEXTS)
    index = grown([ids[:300]])
    assert [len(s) for s in index.segments] == [300]
    index = index.synced(5, np.array(ids[:100]), texts_of)
    assert [len(s) for s in index.segments] == [100] and index.live[0].all()
    assert_scores_like_fresh(index)


def test_merging_stops_at_the_size_limit(monkeypatch):
    monkeypatch.setattr(keywords, "MAX_MERGED", 60)
    ids = sorted(TEXTS)
    index = grown([ids[: n + 10] for n in range(0, 200, 10)])
    assert all(len(segment) <= 60 for segment in index.segments) and len(index.segments) >= 4
    assert_scores_like_fresh(index)


def test_a_saved_index_loads_back_and_a_save_writes_only_the_new_segment(tmp_path):
    ids = sorted(TEXTS)
    first = grown([ids[:200]], generation=3)
    first.save(tmp_path)
    before = {p.name: p.stat().st_mtime_ns for p in (tmp_path / FOLDER / SEGMENTS).iterdir()}
    second = first.synced(4, np.array(ids[:10] + ids[20:205]), texts_of)  # 5 new, 10 deleted
    second.save(tmp_path)
    after = {p.name: p.stat().st_mtime_ns for p in (tmp_path / FOLDER / SEGMENTS).iterdir()}
    assert len(after) == 2 and all(after[name] == mtime for name, mtime in before.items())
    assert sorted(p.name for p in (tmp_path / FOLDER).iterdir()) == sorted([SEGMENTS, "4-v3.json"])
    loaded = KeywordIndex.load_newest(tmp_path)
    assert loaded.generation == 4 and np.array_equal(loaded.chunk_ids, second.chunk_ids)
    for query in QUERIES:
        assert loaded.search(query, 20) == second.search(query, 20)
    # A loaded (memory-mapped) index syncs as one made in this process does.
    assert_scores_like_fresh(loaded.synced(5, np.array(ids[30:260]), texts_of))


def test_a_merge_removes_the_merged_segments_files_and_loaded_copies_keep_working(tmp_path):
    ids = sorted(TEXTS)
    index = grown([ids[:100], ids[:120]])
    index.save(tmp_path)
    loaded = KeywordIndex.load_newest(tmp_path)
    assert len(loaded.segments) == 2
    merged = loaded.synced(10, np.array(ids[:170]), texts_of)  # 50 new: the three merge into one
    assert len(merged.segments) == 1
    merged.save(tmp_path)  # as another process would: the loaded index's segment files go
    assert [p.name for p in (tmp_path / FOLDER / SEGMENTS).iterdir()] == [merged.segments[0].name]
    assert_scores_like_fresh(loaded)
    assert_scores_like_fresh(loaded.synced(11, np.array(ids[:190]), texts_of))


def test_unfinished_or_foreign_entries_are_ignored_then_cleared(tmp_path):
    ids = sorted(TEXTS)
    index = grown([ids[:50]], generation=3)
    index.save(tmp_path)
    root = tmp_path / FOLDER
    (root / SEGMENTS / ".7-abcd.junk").mkdir()  # a segment a killed writer did not finish
    (root / SEGMENTS / "7-abcd").mkdir()  # one it renamed into place but named in no commit file
    (root / "9-v3.json").write_text("{not json")  # a torn commit file (replace_atomically prevents it)
    (root / "12-v2").mkdir()  # a build of an older version is made anew, not read
    assert KeywordIndex.load_newest(tmp_path).generation == 3
    assert KeywordIndex.load_newest(tmp_path / "elsewhere").generation == -1
    index.synced(4, np.array(ids[:65]), texts_of).save(tmp_path)
    assert sorted(p.name for p in root.iterdir()) == ["4-v3.json", SEGMENTS]
    assert len(list((root / SEGMENTS).iterdir())) == 1  # merged: 15 new >= a quarter of 50


def test_a_commit_file_naming_a_missing_segment_falls_back_to_an_empty_index(tmp_path):
    grown([sorted(TEXTS)[:50]], generation=3).save(tmp_path)
    for segment in (tmp_path / FOLDER / SEGMENTS).iterdir():
        for path in segment.iterdir():
            path.unlink()
        segment.rmdir()
    assert KeywordIndex.load_newest(tmp_path).generation == -1  # the store then rebuilds it from SQLite
