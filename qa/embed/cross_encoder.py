"""A reranker backend: any sentence-transformers CrossEncoder. The only module besides
sentence_transformer.py that imports sentence-transformers, and only when a reranker is first used."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from qa.embed.base import local_model_folder
from qa.errors import QAError


class CrossEncoderReranker:
    """Any sentence-transformers CrossEncoder, by name or folder, read from disk only (no hub access) and
    loaded on first use."""

    def __init__(self, name: str, *, device: str = "cpu", batch_size: int = 16) -> None:
        self.name = name
        self._device = device
        self._batch_size = batch_size
        self._model = None

    def score(self, query: str, passages: Sequence[str]) -> np.ndarray:
        if not passages:
            return np.zeros(0, dtype=np.float32)
        scores = self._loaded().predict(
            [(query, passage) for passage in passages], batch_size=self._batch_size, show_progress_bar=False
        )
        scores = np.asarray(scores, dtype=np.float32)
        if scores.shape != (len(passages),):
            raise QAError(f"reranker {self.name!r} gives {scores.shape[1:]} scores a pair; a reranker gives one")
        return scores

    def _loaded(self):
        if self._model is None:
            self._model = _load_cross_encoder(self.name, self._device)
        return self._model


def _load_cross_encoder(name: str, device: str):
    from sentence_transformers import CrossEncoder

    try:
        return CrossEncoder(local_model_folder(name), device=device, local_files_only=True)
    except Exception as error:  # the library raises many types; the user needs one line
        first_line = str(error).splitlines()[0] if str(error) else ""
        raise QAError(
            f"cannot load reranker {name!r}: {type(error).__name__}: {first_line} "
            "(give a local CrossEncoder folder, or a model already in the Hugging Face cache)"
        ) from None
