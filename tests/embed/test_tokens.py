"""Batches padded to a few shapes: the set of shapes stays small, and the vectors stay the same."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from qa.embed.openvino import OpenVINOEmbedder
from qa.embed.openvino.calibration import calibration_texts
from qa.embed.tokens import bucketed_shape

WORDS = "the president said on tuesday that the new plan would cut costs for families across the country".split()


def test_every_batch_fits_one_of_sixty_shapes() -> None:
    shapes = set()
    for rows in range(1, 33):
        for width in range(1, 257):
            padded = bucketed_shape(rows, width, 32, 256)
            assert rows <= padded[0] <= 32 and width <= padded[1] <= 256
            shapes.add(padded)
    assert len(shapes) == 60
    assert bucketed_shape(3, 17, 32, 256) == (4, 32) and bucketed_shape(1, 65, 32, 256) == (1, 96)
    assert bucketed_shape(20, 250, 24, 256) == (24, 256)  # never past the batch size or the model


def random_texts(chooser: random.Random, count: int) -> list[str]:
    return [" ".join(chooser.choice(WORDS) for _ in range(chooser.randint(1, 70))) for _ in range(count)]


def padded_and_exact(embedder: OpenVINOEmbedder, texts: list[str], batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    runner = embedder._query_runner()
    padded = runner.embed(texts, batch_size=batch_size)
    runner.bucketed = False
    try:
        return padded, runner.embed(texts, batch_size=batch_size)
    finally:
        runner.bucketed = True


def test_padded_batches_give_the_vectors_of_exact_ones_on_the_tiny_model(
    tiny_model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QA_CACHE", str(tmp_path))
    embedder = OpenVINOEmbedder(str(tiny_model_path), backend="openvino-fp32")
    texts = random_texts(random.Random(3), 45)
    for batch_size in (1, 7, 32):
        padded, exact = padded_and_exact(embedder, texts, batch_size)
        np.testing.assert_allclose(padded, exact, atol=1e-5)
    assert not np.allclose(padded[0], padded[1])  # the texts differ, so must their vectors


@pytest.mark.minilm
def test_padded_batches_give_the_vectors_of_exact_ones_on_minilm() -> None:
    texts = calibration_texts()[:30] + random_texts(random.Random(5), 30)
    fp32 = OpenVINOEmbedder("all-MiniLM-L6-v2", backend="openvino-fp32")
    int8 = OpenVINOEmbedder("all-MiniLM-L6-v2", backend="openvino-int8")
    for batch_size in (1, 5, 32):
        padded, exact = padded_and_exact(fp32, texts, batch_size)
        np.testing.assert_allclose(padded, exact, atol=1e-5)
        # bf16 arithmetic rounds differently in kernels for different shapes: unpadded, a text embedded
        # alone and in a batch of 32 already differ by a cosine of 0.99990 (min over these texts).
        padded, exact = padded_and_exact(int8, texts, batch_size)
        assert np.sum(padded * exact, axis=1).min() >= 0.9998, batch_size
