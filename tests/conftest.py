from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Iterator

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "data" / "sample"
BENCH_DIR = ROOT.parent / "shared" / "bench"
sys.path.insert(0, str(Path(__file__).resolve().parent))

# Bounded examples keep the property tests to seconds; no deadline, since two shared cores make timings
# noisy; in CI the same examples every run (and no example database), so a red build reproduces.
# HYPOTHESIS_PROFILE=thorough hunts longer, by hand.
_IN_CI = bool(os.environ.get("CI"))
settings.register_profile(
    "suite", max_examples=30, deadline=None, derandomize=_IN_CI, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    **({"database": None} if _IN_CI else {}),
)
settings.register_profile("thorough", settings.get_profile("suite"), max_examples=1000, derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))


@pytest.fixture(scope="session")
def tiny_model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture(scope="session")
def tiny_embedder(tiny_model_path: Path):
    from qa.embed import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(str(tiny_model_path))


@pytest.fixture(scope="session")
def tiny_cross_encoder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tiny_model import build_tiny_cross_encoder

    return build_tiny_cross_encoder(tmp_path_factory.mktemp("tiny-cross-encoder"))


@pytest.fixture(scope="session")
def exported_model(tiny_model_path: Path) -> str:
    """The tiny model on the default backend, exported (once, cached) before processes race to."""
    from qa.embed import load_embedder

    load_embedder(str(tiny_model_path))
    return str(tiny_model_path)


@pytest.fixture(scope="session")
def minilm():
    from qa.embed import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder("all-MiniLM-L6-v2")


@pytest.fixture(scope="session")
def sample_index_dir(tmp_path_factory: pytest.TempPathFactory, minilm) -> Path:
    """An index of the shipped sample articles, built once with the real model; tests must not modify it."""
    from qa.index import Index
    from qa.ingest import load_articles

    folder = tmp_path_factory.mktemp("sample") / "index"
    with Index.open(folder, embedder=minilm, create=True) as index:
        report = index.add(load_articles(SAMPLE_DIR))
    assert report.added >= 1 and not report.failed
    return folder


@pytest.fixture()
def bench_dir() -> Path:
    if not BENCH_DIR.is_dir():
        pytest.skip(f"benchmark data not found at {BENCH_DIR}")
    return BENCH_DIR


@pytest.fixture(autouse=True)
def _verify_every_answer(monkeypatch: pytest.MonkeyPatch) -> list:
    """Every answer the suite produces through qa.answer (ask, ask_stream, the CLI, the API and the chat in
    this process) must pass verify(): exact spans, used and consecutive citation numbers, quotes attributed
    to their stored speaker. Returns the answers verified so far, for the test that this still sees them.

    ask_stream is wrapped where it is looked up: in qa.answer.flow by ask(), and on qa.answer by the callers
    outside the package, which must look it up there when they call (not bind it when they are imported)."""
    import qa.answer
    from qa.answer import flow
    from qa.types import Answer

    original = flow.ask_stream
    verified: list[Answer] = []

    def checked(index, question, **options):
        for item in original(index, question, **options):
            if isinstance(item, Answer):
                qa.answer.verify(item, index)
                verified.append(item)
            yield item

    monkeypatch.setattr(flow, "ask_stream", checked)
    monkeypatch.setattr(qa.answer, "ask_stream", checked)
    return verified


@pytest.fixture(scope="session")
def milvus_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """HOST:PORT of one real milvus-lite server for the whole run (tests use a fresh collection each)."""
    from milvus_server import milvus_lite_server

    with milvus_lite_server(tmp_path_factory.mktemp("milvus") / "data") as address:
        yield address
