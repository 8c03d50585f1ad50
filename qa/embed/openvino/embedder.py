"""OpenVINO backends: the model exported once (see export.py), run without torch.

Serving needs only `openvino` and `tokenizers`: importing sentence-transformers pulls in torch,
transformers and scikit-learn, which costs seconds and hundreds of megabytes before the first query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from qa.config import DEFAULT_MODEL
from qa.embed.base import resolve_model_path
from qa.embed.openvino.export import exported
from qa.embed.openvino.runner import OpenVINORunner

# Up to this many texts, documents are embedded by the query model when the bulk (throughput) one is
# not compiled yet: a second compiled model costs ~140 MB and ~0.2–0.7 s, more than a server that
# answers questions needs. An answer embeds the sentences of its passages: on the 95 RealTime QA
# questions a median of 59, above 64 for 44 of them, above 256 for one. Ingest batches are larger.
FEW_TEXTS = 256

# Vectors whose mean cosine to the fp32 model's stays at or above this share its vector space (and
# its indexes). bf16 and int8 runs of all-MiniLM-L6-v2 measure 0.99999 and 0.9976 on held-out text.
MIN_AGREEMENT = 0.99


@dataclass(frozen=True)
class OpenVINOSpec:
    weights: str  # "fp32" or "int8", the export to run
    precision: str  # OpenVINO inference precision of everything not quantized: "f32" or "bf16"


OPENVINO_BACKENDS = {
    "openvino-fp32": OpenVINOSpec("fp32", "f32"),
    # bf16 halves the cost of matrix products on CPUs with AVX-512 BF16 or AMX; elsewhere OpenVINO
    # runs f32 instead, so the backend works everywhere and is only faster where the CPU allows.
    "openvino-bf16": OpenVINOSpec("fp32", "bf16"),
    "openvino-int8": OpenVINOSpec("int8", "bf16"),
}


class OpenVINOEmbedder:
    """An Embedder running an OpenVINO export of a sentence-transformers model."""

    def __init__(
        self, name: str = DEFAULT_MODEL, *, backend: str = "openvino-int8", min_agreement: float = MIN_AGREEMENT
    ) -> None:
        spec = OPENVINO_BACKENDS[backend]
        self.name = name
        self.backend = backend
        self.export = exported(resolve_model_path(name), spec.weights)
        self.precision = spec.precision
        agrees = self.export.agreement[spec.precision] >= min_agreement
        self.vector_space = name if agrees else f"{name}@{backend}"
        self.dimension = self.export.dimension
        self.max_tokens = self.export.max_tokens
        self._tokens = self.export.tokens()
        self._documents: OpenVINORunner | None = None
        self._queries: OpenVINORunner | None = None

    def embed_documents(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        runner = self._query_runner() if self._documents is None and len(texts) <= FEW_TEXTS else self._document_runner()
        prompt = self.export.document_prompt
        return runner.embed([prompt + text for text in texts], batch_size=batch_size)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        prompt = self.export.query_prompt
        return self._query_runner().embed([prompt + text for text in texts], batch_size=len(texts))

    def _document_runner(self) -> OpenVINORunner:
        if self._documents is None:
            self._documents = OpenVINORunner(self.export, self.precision, throughput=True)
        return self._documents

    def _query_runner(self) -> OpenVINORunner:
        if self._queries is None:
            self._queries = OpenVINORunner(self.export, self.precision, throughput=False)
        return self._queries

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return self._tokens.count(texts) if texts else []
