"""Picking an embedding backend by name."""

from __future__ import annotations

from qa.embed.base import Embedder
from qa.embed.openvino import OPENVINO_BACKENDS, OpenVINOEmbedder
from qa.embed.sentence_transformer import TORCH, SentenceTransformerEmbedder
from qa.errors import QAError

BACKENDS = (TORCH, *OPENVINO_BACKENDS)  # torch runs the fp32 reference the others are checked against
# Measured in BENCHMARKS.md (issue 6): int8 ingests RealTimeQA 3.3× faster than torch fp32, within
# 0.01 nDCG@10 (SciFact) and MRR@10 (RealTimeQA) of it, and serving it never imports torch.
DEFAULT_BACKEND = "openvino-int8"


def check_backend(backend: str) -> str:
    if backend not in BACKENDS:
        raise QAError(f"unknown embedding backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    return backend


def load_embedder(name: str, backend: str = DEFAULT_BACKEND) -> Embedder:
    """The model ``name`` run by ``backend``; OpenVINO backends export the model on first use."""
    if check_backend(backend) == TORCH:
        return SentenceTransformerEmbedder(name)
    return OpenVINOEmbedder(name, backend=backend)
