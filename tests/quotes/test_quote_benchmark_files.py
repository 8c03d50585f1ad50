"""bench/quotes: the hand-labelled files stay consistent with the seeded procedures that drew them.

The labels and questions were written by a reader from the draws of bench/quotes/sample.py and
sample_questions.py; if either procedure (or qa.text's mark pairing it reuses) changes what it draws,
the stored offsets no longer point at what was read, and these tests say so.
"""

from __future__ import annotations

import importlib.util
import json
import random
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
QUOTES = ROOT / "bench" / "quotes"
# (dev, test) questions per kind from ranks 720 on, the third reading batch.
THIRD_BATCH = {kind: (15, 15) for kind in ("full", "surname", "role", "paraphrase")}


def _module(name: str) -> ModuleType:
    sys.path.insert(0, str(QUOTES))
    try:
        spec = importlib.util.spec_from_file_location(name, QUOTES / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(QUOTES))


def _rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (QUOTES / name).open(encoding="utf-8")]


@pytest.fixture(scope="module")
def archive() -> dict[str, dict]:
    path = _module("sample").ARCHIVE  # the procedures' own look-up, which also works from a worktree
    if not path.is_file():
        pytest.skip(f"benchmark data not found at {path}")
    return {row["id"]: row for row in map(json.loads, path.open(encoding="utf-8"))}


@pytest.mark.bench_data
def test_every_attribution_label_is_a_span_of_the_seeded_sample(archive: dict[str, dict]) -> None:
    sample = _module("sample")
    labels = _rows("attribution_labels.jsonl")
    drawn = sample.draw(sample.all_spans(archive), len(labels), sample.SEED, sample.PER_ARTICLE)
    assert len(labels) >= 190
    assert [r["rank"] for r in labels] == list(range(len(labels)))
    assert [(r["article_id"], r["start"], r["end"]) for r in labels] == [(s.article_id, s.start, s.end) for s in drawn]
    assert sum(r["is_quote"] for r in labels) >= 150
    assert all(r["is_quote"] or not r["speaker"] for r in labels)


@pytest.mark.bench_data
def test_questions_and_drops_cover_the_candidates_in_rank_order(archive: dict[str, dict]) -> None:
    questions = _module("sample_questions")
    candidates = questions.candidates(archive, questions.DRAW)
    for prefix in (420, 720):  # each extension keeps the earlier draw as its prefix
        assert candidates[:prefix] == questions.candidates(archive, prefix)
    used = {int(q["id"][1:]): q for q in _rows("questions.jsonl")}
    dropped = {r["rank"]: r for r in _rows("question_drops.jsonl")}
    assert not used.keys() & dropped.keys()
    assert sorted(used.keys() | dropped.keys()) == list(range(len(candidates)))
    for rank, question in used.items():
        span, stratum, kind = candidates[rank]
        assert (question["article_id"], question["start"], question["end"]) == (span.article_id, span.start, span.end)
        assert (question["kind"], question["stratum"]) == (kind, stratum)
        assert question["as_of"] == archive[span.article_id]["published"]
    for rank, drop in dropped.items():
        span, _, kind = candidates[rank]
        assert (drop["article_id"], drop["start"], drop["end"], drop["kind"]) == (span.article_id, span.start, span.end, kind)
    # Ranks 420-719 were read for role only: every other kind there is dropped unread.
    assert all(q["kind"] == "role" for rank, q in used.items() if 420 <= rank < 720)
    batches = Counter((questions.batch_suffix(q["id"]), q["kind"], q["split"]) for q in used.values())
    assert all(batches[("", kind, split)] == 26 for kind in questions.KINDS for split in ("dev", "test"))
    assert (batches[("-2", "role", "dev")], batches[("-2", "role", "test")]) == (25, 24)
    third = {kind: (batches[("-3", kind, "dev")], batches[("-3", kind, "test")]) for kind in questions.KINDS}
    assert third == THIRD_BATCH


def test_splits_are_the_seeded_rule_per_kind_and_reading_batch() -> None:
    questions = _module("sample_questions")
    for name in ("questions.jsonl", "decline.jsonl"):
        rows = _rows(name)
        assert {r["id"] for r in rows if r["split"] == "dev"} == questions.dev_ids(rows), name
    # The first batch keeps the split it was given before the draw was extended: its rule alone, per kind.
    first = [r for r in _rows("questions.jsonl") if int(r["id"][1:]) < 420]
    assert len(first) == 208
    for kind in questions.KINDS:
        ids = sorted(r["id"] for r in first if r["kind"] == kind)
        random.Random(f"{questions.SPLIT_SEED}-{kind}").shuffle(ids)
        assert {r["id"] for r in first if r["kind"] == kind and r["split"] == "dev"} == set(ids[:26])


@pytest.mark.bench_data
def test_paraphrase_questions_share_no_content_word_with_their_quotation(archive: dict[str, dict]) -> None:
    stop = set(
        "a an the of to in on for and or but is are was were be it its this that with as at by from about what "
        "did say he she they we you i my our his her their do not no so if when who how why can would will all "
        "any some more one new only very up out".split()
    )

    def stems(text: str) -> set[str]:
        words = (w.strip(".,;:!?\"“”'’()[]").lower().replace("’", "'").split("'")[0] for w in text.split())
        return {w[:5] for w in words if w.isalpha() and w not in stop}

    for question in _rows("questions.jsonl"):
        if question["kind"] != "paraphrase":
            continue
        quote = archive[question["article_id"]]["text"][question["start"] : question["end"]]
        asked = question["question"]
        for part in question["speaker"].split():
            asked = asked.replace(part, " ")
        assert not stems(asked) & stems(quote), question["id"]


def test_decline_questions_are_well_formed() -> None:
    rows = _rows("decline.jsonl")
    kinds = Counter(r["kind"] for r in rows)
    assert kinds["off_topic"] >= 50 and kinds["absent"] >= 20
    assert len({r["id"] for r in rows}) == len(rows)
    assert {r["split"] for r in rows} == {"dev", "test"}
