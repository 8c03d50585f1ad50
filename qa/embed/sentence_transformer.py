"""The reference backend: the model's own fp32 weights run by sentence-transformers on torch.

The only module that imports sentence-transformers (and, through it, torch) at run time; exporting a
model for another backend imports it too, once."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from qa.config import DEFAULT_MODEL
from qa.embed.base import local_model_folder, resolve_model_path
from qa.errors import QAError

TORCH = "torch"


class SentenceTransformerEmbedder:
    """An Embedder backed by a sentence-transformers model, loaded from disk only (no hub access)."""

    backend = TORCH

    def __init__(self, name: str = DEFAULT_MODEL, *, device: str = "cpu") -> None:
        self.name = name
        self.vector_space = name  # the fp32 model defines its own vector space
        self._model = load_sentence_transformer_model(resolve_model_path(name), device)
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


def load_sentence_transformer_model(path: str, device: str = "cpu"):
    """A SentenceTransformer from a local folder or the Hugging Face cache, never from the network."""
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # a CLI search should print results, not loading bars

    try:
        return SentenceTransformer(local_model_folder(path), device=device, local_files_only=True)
    except Exception as error:  # the library raises many types; the user needs one line
        raise QAError(
            f"cannot load embedding model {path!r}: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
            " (give a local sentence-transformers folder, or a model already in the Hugging Face cache)"
        ) from None
