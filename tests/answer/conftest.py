"""Fixtures of the answer tests: the sample index opened once per module, and chat servers."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from llm_servers import ScriptedServer, llama_server as start_llama_server

from qa.index import Index


@pytest.fixture(scope="module")
def index(sample_index_dir: Path, minilm) -> Iterator[Index]:
    with Index.open(sample_index_dir, embedder=minilm) as opened:
        yield opened


@pytest.fixture()
def articles_index(request: pytest.FixtureRequest, tmp_path: Path, tiny_embedder) -> Iterator[Index]:
    """An index in tmp_path, with the tiny model, of the requesting test module's ``ARTICLES``."""
    with Index.open(tmp_path / "index", embedder=tiny_embedder, create=True) as opened:
        opened.add(request.module.ARTICLES)
        yield opened


@pytest.fixture()
def scripted() -> Iterator[ScriptedServer]:
    server = ScriptedServer()
    yield server
    server.close()


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """llama-cpp-python's OpenAI-compatible server with SmolLM2-135M, started once for the answer tests."""
    with start_llama_server(tmp_path_factory.mktemp("llama") / "server.log") as url:
        yield url
