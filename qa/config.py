"""User settings with their defaults. Facts derived from a built index live in its manifest instead."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_MODEL = "all-MiniLM-L6-v2"
DEFAULT_INDEX = "index"


@dataclass(frozen=True)
class Settings:
    """How a new index is built. An existing index keeps the settings recorded in its manifest."""

    model: str = DEFAULT_MODEL
    chunk_tokens: int = 256  # most model tokens of a chunk as embedded, headline included; the model caps it
    overlap_tokens: int = 32  # whole sentences repeated from the previous chunk, up to this many tokens
    title_tokens: int = 48  # most tokens of the headline prepended to each chunk's embedded text
    batch_size: int = 32  # texts per forward pass of the embedding model
    commit_chunks: int = 512  # chunks embedded per committed batch: an interruption loses at most these
    # How the model runs (qa.embed.BACKENDS). None: the default backend, unless an existing index was
    # built with one whose vectors the default's cannot mix with; then that index's own.
    backend: str | None = None
    reranker: str = ""  # a sentence-transformers CrossEncoder name or folder that reorders search results

    @classmethod
    def from_env(cls, **overrides: object) -> "Settings":
        """Defaults, then QA_* environment variables, then explicit overrides that are not None."""
        values: dict[str, object] = {}
        if os.environ.get("QA_MODEL"):
            values["model"] = os.environ["QA_MODEL"]
        if os.environ.get("QA_BACKEND"):
            values["backend"] = os.environ["QA_BACKEND"]
        if os.environ.get("QA_RERANKER"):
            values["reranker"] = os.environ["QA_RERANKER"]
        values.update({key: value for key, value in overrides.items() if value is not None})
        return cls(**values)
