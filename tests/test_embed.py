"""Embedding backends: selection, the OpenVINO export and its cache, agreement with fp32, and the
manifest's record of which vectors an index holds. The tiny random model runs every code path for
real (export, int8 calibration, inference); the real MiniLM checks quality."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from qa.config import Settings
from qa.embed import BACKENDS, DEFAULT_BACKEND, SentenceTransformerEmbedder, load_embedder
from qa.embed.openvino import OpenVINOEmbedder
from qa.embed.openvino.embedder import FEW_TEXTS
from qa.embed.openvino.calibration import calibration_texts
from qa.embed.openvino.export import EXPORT_JSON, MODEL_XML, export_folder
from qa.errors import QAError
from qa.index import Index
from qa.ingest import load_articles

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "sample"
TEXTS = [
    "Foreign ministers met in Geneva to discuss security guarantees.",
    "The talks ended without an agreement, officials said on Friday.",
    "Blinken",
]


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One export cache for this module, so each tiny export is made once and reused by the tests."""
    return tmp_path_factory.mktemp("qa-cache")


@pytest.fixture()
def cache(model_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("QA_CACHE", str(model_cache))
    return model_cache


def test_factory_returns_the_backend_asked_for(tiny_model_path: Path, cache: Path) -> None:
    assert set(BACKENDS) == {"torch", "openvino-fp32", "openvino-bf16", "openvino-int8"}
    assert DEFAULT_BACKEND in BACKENDS
    for backend in BACKENDS:
        embedder = load_embedder(str(tiny_model_path), backend)
        assert embedder.backend == backend
        assert embedder.dimension == 32 and embedder.max_tokens == 128
    assert isinstance(load_embedder(str(tiny_model_path), "torch"), SentenceTransformerEmbedder)
    with pytest.raises(QAError, match="unknown embedding backend 'onnx'"):
        load_embedder(str(tiny_model_path), "onnx")


def test_export_lands_in_the_cache_outside_the_package_and_is_reused(tiny_model_path: Path, cache: Path) -> None:
    first = OpenVINOEmbedder(str(tiny_model_path), backend="openvino-int8")
    folder = first.export.folder
    assert folder == export_folder(str(tiny_model_path), "int8") and folder.is_relative_to(cache / "models")
    files = {path.name: path.stat().st_mtime_ns for path in folder.iterdir()}
    assert {EXPORT_JSON, MODEL_XML, "model.bin", "tokenizer.json"} <= set(files)

    second = OpenVINOEmbedder(str(tiny_model_path), backend="openvino-int8")
    assert {path.name: path.stat().st_mtime_ns for path in folder.iterdir()} == files  # nothing re-exported
    assert [p.name for p in folder.parent.iterdir() if p.name.startswith(".")] == []  # no leftover temp folder
    np.testing.assert_array_equal(first.embed_documents(TEXTS), second.embed_documents(TEXTS))


def test_int8_export_is_quantized_and_records_its_agreement(tiny_model_path: Path, cache: Path) -> None:
    int8 = OpenVINOEmbedder(str(tiny_model_path), backend="openvino-int8").export
    fp32 = OpenVINOEmbedder(str(tiny_model_path), backend="openvino-fp32").export
    assert "FakeQuantize" in int8.model_file.read_text() and "FakeQuantize" not in fp32.model_file.read_text()
    recorded = json.loads((int8.folder / EXPORT_JSON).read_text())
    assert set(recorded["agreement"]) == {"f32", "bf16"}
    assert all(0 < value <= 1.0001 for value in recorded["agreement"].values())


def test_openvino_backends_match_torch_on_the_tiny_model(tiny_model_path: Path, tiny_embedder, cache: Path) -> None:
    reference_docs = tiny_embedder.embed_documents(TEXTS)
    reference_queries = tiny_embedder.embed_queries(TEXTS)
    for backend in ("openvino-fp32", "openvino-bf16"):
        embedder = load_embedder(str(tiny_model_path), backend)
        docs, queries = embedder.embed_documents(TEXTS, batch_size=2), embedder.embed_queries(TEXTS)
        assert docs.dtype == np.float32 and docs.shape == (3, 32)
        np.testing.assert_allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-5)
        assert np.sum(docs * reference_docs, axis=1).min() > 0.999
        assert np.sum(queries * reference_queries, axis=1).min() > 0.999
        assert embedder.count_tokens(TEXTS) == tiny_embedder.count_tokens(TEXTS)
        assert embedder.vector_space == tiny_embedder.vector_space


def test_token_counts_are_not_truncated_but_model_inputs_are(tiny_model_path: Path, tiny_embedder, cache: Path) -> None:
    long_text = " ".join(["geneva talks"] * 200)
    embedder = load_embedder(str(tiny_model_path), "openvino-fp32")
    assert embedder.count_tokens([long_text]) == tiny_embedder.count_tokens([long_text]) == [400]
    cosine = float(embedder.embed_documents([long_text])[0] @ tiny_embedder.embed_documents([long_text])[0])
    assert cosine > 0.999  # both read the first max_tokens only


def test_batches_are_grouped_by_length_and_results_keep_input_order(tiny_model_path: Path, cache: Path) -> None:
    embedder = load_embedder(str(tiny_model_path), "openvino-fp32")
    texts = calibration_texts()[:40]
    batches = list(embedder.export.tokens().batches(texts, 8))
    widths = [batch.feeds["input_ids"].shape[1] for batch in batches]
    assert widths == sorted(widths, reverse=True)  # longest first, each batch padded to its own longest
    together = embedder.embed_documents(texts, batch_size=8)
    alone = np.concatenate([embedder.embed_documents([text]) for text in texts[:5]])
    np.testing.assert_allclose(together[:5], alone, atol=1e-5)


def test_a_few_documents_use_the_query_model_and_match_the_bulk_model(tiny_model_path: Path, cache: Path) -> None:
    embedder = load_embedder(str(tiny_model_path), "openvino-fp32")
    texts = (calibration_texts() * (FEW_TEXTS // 50 + 1))[: FEW_TEXTS + 1]
    few = embedder.embed_documents(texts[:5])
    assert embedder._documents is None  # no second compiled model for a handful of texts
    many = embedder.embed_documents(texts)
    assert embedder._documents is not None
    np.testing.assert_allclose(few, many[:5], atol=1e-5)


def test_manifest_records_the_backend_and_vector_space(tiny_model_path: Path, cache: Path, tmp_path: Path) -> None:
    embedder = load_embedder(str(tiny_model_path), "openvino-bf16")
    with Index.open(tmp_path / "index", embedder=embedder, create=True) as index:
        index.add(load_articles(SAMPLE_DIR))
    manifest = json.loads((tmp_path / "index" / "manifest.json").read_text())
    assert manifest["embedding_backend"] == "openvino-bf16"
    assert manifest["vector_space"] == str(tiny_model_path)
    assert manifest["vector_index"] == "flat-fp16"


def test_interchangeable_backends_share_an_index(tiny_model_path: Path, tiny_embedder, cache: Path, tmp_path: Path) -> None:
    with Index.open(tmp_path / "index", embedder=tiny_embedder, create=True) as index:
        index.add(load_articles(SAMPLE_DIR))
        expected = [(hit.article_id, hit.start) for hit in index.search("Blinken Lavrov talks", 3, mode="dense")]
    fp32 = load_embedder(str(tiny_model_path), "openvino-fp32")
    with Index.open(tmp_path / "index", embedder=fp32) as index:
        assert [(hit.article_id, hit.start) for hit in index.search("Blinken Lavrov talks", 3, mode="dense")] == expected


def test_mixing_vectors_that_do_not_agree_fails_clearly(
    tiny_model_path: Path, tiny_embedder, cache: Path, tmp_path: Path
) -> None:
    # An export whose vectors agree with fp32 less than required gets a vector space of its own.
    apart = OpenVINOEmbedder(str(tiny_model_path), backend="openvino-int8", min_agreement=1.5)
    assert apart.vector_space == f"{tiny_model_path}@openvino-int8"

    with Index.open(tmp_path / "fp32", embedder=tiny_embedder, create=True) as index:
        index.add(load_articles(SAMPLE_DIR))
    with pytest.raises(QAError, match=r"do not mix.*Use backend 'torch'"):
        Index.open(tmp_path / "fp32", embedder=apart)

    with Index.open(tmp_path / "apart", embedder=apart, create=True) as index:
        index.add(load_articles(SAMPLE_DIR))
    settings = Settings(model=str(tiny_model_path), backend="torch")
    with Index.open(tmp_path / "apart", settings=settings) as index:
        with pytest.raises(QAError, match="do not mix"):
            index.search("Blinken", 3, mode="dense")


@pytest.mark.minilm
def test_minilm_quantized_and_bf16_vectors_stay_close_to_fp32(minilm) -> None:
    texts = calibration_texts()[:20] + TEXTS
    reference = minilm.embed_documents(texts)
    for backend in ("openvino-bf16", "openvino-int8"):
        embedder = load_embedder("all-MiniLM-L6-v2", backend)
        cosines = np.sum(embedder.embed_documents(texts) * reference, axis=1)
        assert cosines.mean() >= 0.99 and cosines.min() >= 0.97, (backend, cosines.mean(), cosines.min())
        queries = np.sum(embedder.embed_queries(TEXTS) * minilm.embed_queries(TEXTS), axis=1)
        assert queries.min() >= 0.98, (backend, queries)
        assert embedder.vector_space == minilm.vector_space
