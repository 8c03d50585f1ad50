"""qa ingest --ray: on a real two-node Ray cluster on loopback (and on `--ray local`), the index equals
a plain ingest's of the same input: articles, passages and their spans, quotes, story groups, vectors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

from qa.index import Index
from qa.types import Filters
from ray_cluster import free_port, loopback_cluster

VECTOR_TOLERANCE = 1e-4


def contents(folder: Path) -> dict:
    """What an index holds, through the public store reads every backend offers."""
    with Index.open(folder) as index:
        store = index.store
        articles = [(text_hash, article) for _, text_hash, article in store.articles_after(0, 1_000_000)]
        with store.view() as view:
            ids = view.chunk_ids_matching(Filters())
            passages = [(hit.article_id, hit.start, hit.end, hit.text) for hit in view.hits([(i, 0.0) for i in ids])]
            vectors = view.vectors_of(ids)
        quotes = index.quotes()
        speakers = sorted({quote.speaker for quote in quotes if quote.speaker})
        spoken = store.speaker_quotes(speakers)
        return {
            "counts": store.counts(),
            "articles": articles,
            "passages": passages,
            "vectors": vectors,
            "quotes": quotes,
            "spoken": [(quote.article_id, quote.start, quote.end) for quote in spoken.quotes],
            "quote_vectors": spoken.vectors,
            "stories": store.stories_of([article.id for _, article in articles]),
        }


def assert_same(got: dict, want: dict) -> None:
    for key in ("counts", "articles", "passages", "quotes", "spoken", "stories"):
        assert got[key] == want[key], key
    for key in ("vectors", "quote_vectors"):
        assert got[key].shape == want[key].shape, key
        assert np.abs(got[key] - want[key]).max() <= VECTOR_TOLERANCE, key


MADE_UP = [
    {"id": "made-up-bridge", "title": "Bridge to reopen in March", "published": "2026-11-02", "source": "Valley Post",
     "text": "The Elm Street bridge will reopen in March, city officials said.\n\n\"We will have traffic back on the "
             "bridge before the spring thaw,\" Mayor Ana Ruiz said on Tuesday. \"The repairs are ahead of schedule.\"\n\n"
             "Engineer Tom Baker, who leads the project, was more careful. \"Steel deliveries are the risk,\" Baker "
             "said."},
    {"id": "made-up-school", "title": "School board approves budget", "published": "2026-11-03", "source": "Valley Post",
     "text": "The school board approved a $40 million budget on Monday night after a long debate.\n\n\"This budget "
             "puts teachers first,\" said board president Linda Cho. Critics disagreed. \"It raises taxes without "
             "fixing the buses,\" parent Mark Ellis told the board."},
    {"id": "made-up-copy", "title": "Bridge to reopen in March", "published": "2026-11-02", "source": "Hill Gazette",
     "text": "The Elm Street bridge will reopen in March, city officials said.\n\n\"We will have traffic back on the "
             "bridge before the spring thaw,\" Mayor Ana Ruiz said on Tuesday. \"The repairs are ahead of schedule.\"\n\n"
             "Engineer Tom Baker, who leads the project, was more careful. \"Steel deliveries are the risk,\" Baker "
             "said."},
]
SLICE_ARTICLES = 20
SMALL_COMMITS = 48  # chunks per committed batch: several batches for the two actors (1 CPU a node, 1 an actor)


def slice_file(bench_dir: Path, folder: Path) -> Path:
    """20 RealTime QA articles and a few made-up ones with quotations (one a copy under another id)."""
    with open(bench_dir / "realtimeqa" / "articles.jsonl", encoding="utf-8") as source:
        lines = [next(source) for _ in range(SLICE_ARTICLES)]
    path = folder / "slice.jsonl"
    path.write_text("".join(lines) + "".join(json.dumps(record) + "\n" for record in MADE_UP), encoding="utf-8")
    return path


DRIVER = """
import json, sys
from qa.config import Settings
from qa.index import Index
from qa.ingest import load_articles

folder, source, commit_chunks, address = sys.argv[1:]
with Index.open(folder, settings=Settings(commit_chunks=int(commit_chunks)), create=True) as index:
    report = index.add(load_articles(source), ray=address or None, on_progress=lambda n: print("committed", n, flush=True))
print(json.dumps(report.to_dict()), flush=True)
"""


def ingest(folder: Path, source: Path, env: dict, *, ray: str = "") -> dict:
    """A driver process's ingest with small commit batches; its report."""
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, str(folder), str(source), str(SMALL_COMMITS), ray], env=env,
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


def killed_after_first_commit(folder: Path, source: Path, env: dict, ray: str) -> None:
    driver = subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(folder), str(source), str(SMALL_COMMITS), ray], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        assert driver.stdout.readline().startswith("committed"), "the driver ended before its first commit"
    finally:
        driver.kill()
        driver.wait()



@pytest.mark.minilm
@pytest.mark.bench_data
def test_a_two_node_cluster_ingests_what_a_plain_ingest_does_and_resumes_after_a_kill(
    tmp_path: Path, bench_dir: Path
) -> None:
    source = slice_file(bench_dir, tmp_path)
    plain = ingest(tmp_path / "plain", source, dict(os.environ))
    assert (plain["added"], plain["skipped"], plain["failed"]) == (23, 0, 0)  # copies under other ids are stored too
    with loopback_cluster(workers=1) as env:
        address = env["RAY_ADDRESS"]
        killed_after_first_commit(tmp_path / "ray", source, env, address)
        resumed = ingest(tmp_path / "ray", source, env, ray=address)
    assert 0 < resumed["added"] < plain["added"]  # what the killed run committed is skipped, the rest added
    assert resumed["added"] + resumed["skipped"] == plain["added"] + plain["skipped"]
    assert_same(contents(tmp_path / "ray"), contents(tmp_path / "plain"))


@pytest.mark.minilm
@pytest.mark.bench_data
def test_ray_local_from_the_command_line_equals_a_plain_ingest(tmp_path: Path, bench_dir: Path) -> None:
    source = slice_file(bench_dir, tmp_path)
    ray_temp = Path(tempfile.mkdtemp(prefix="ray", dir="/tmp"))  # Ray's socket paths must stay short
    env = {**os.environ, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": "0" * 64, "RAY_TMPDIR": str(ray_temp)}
    env.pop("RAY_ADDRESS", None)
    try:
        for folder, extra in (("plain", []), ("local", ["--ray", "local"])):
            done = subprocess.run(
                [sys.executable, "-m", "qa.cli", "ingest", str(source), "--index", str(tmp_path / folder), *extra],
                env=env, capture_output=True, text=True, timeout=600,
            )
            assert done.returncode == 0, done.stderr[-3000:]
            assert done.stdout.startswith("added 23, replaced 0, skipped 0, failed 0;"), done.stdout
    finally:
        shutil.rmtree(ray_temp, ignore_errors=True)
    assert_same(contents(tmp_path / "local"), contents(tmp_path / "plain"))


def test_an_unreachable_cluster_is_one_line_and_no_index(tmp_path: Path) -> None:
    source = tmp_path / "one.jsonl"
    source.write_text(json.dumps(MADE_UP[0]) + "\n", encoding="utf-8")
    port = free_port("127.0.0.2")
    for address, said in ((f"127.0.0.2:{port}", "no Ray cluster answers there"), ("nowhere", "expected HOST:PORT")):
        done = subprocess.run(
            [sys.executable, "-m", "qa.cli", "ingest", str(source), "--index", str(tmp_path / "index"), "--ray", address],
            capture_output=True, text=True, timeout=120,
        )
        assert done.returncode != 0
        assert done.stderr.count("\n") == 1 and f"--ray {address}: {said}" in done.stderr, done.stderr
    assert not (tmp_path / "index").exists()
