"""manifest.json: facts about a built index (format, model, chunking, counts, generation), written by
the store and never edited by hand."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from qa.errors import QAError

# 2: embedding_backend and vector_space; vector_index follows the size. 3: vectors.faiss may lag behind
# SQLite (opening adds the chunks it lacks) and keywords/ is in segments; older qa would miss those chunks.
FORMAT_VERSION = 3
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Chunking:
    chunk_tokens: int
    overlap_tokens: int
    title_tokens: int


@dataclass(frozen=True)
class Manifest:
    """Facts about a built index. Written by the store; never edited by hand."""

    format_version: int
    model: str
    dimension: int
    chunking: Chunking
    vector_index: str
    generation: int  # the SQLite generation of the last save (keywords/ holds it; vectors.faiss it or older)
    articles: int
    chunks: int
    created: str
    updated: str
    embedding_backend: str = "torch"  # what embedded the documents when the index was created
    vector_space: str = ""  # embedders whose vector_space differs cannot add to or search this index

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Manifest":
        manifest = cls(**{**data, "chunking": Chunking(**data["chunking"])})
        # Format 1 had neither field: its vectors came from the model's fp32 weights.
        return replace(manifest, vector_space=manifest.vector_space or manifest.model)


def read_manifest(folder: Path) -> Manifest:
    path = folder / MANIFEST
    if not path.is_file():
        raise QAError(f"{folder}: not an index (no {MANIFEST}); build one with `qa ingest PATH --index {folder}`")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        version = int(data["format_version"])
    except (ValueError, KeyError, TypeError) as error:
        raise QAError(f"{path}: unreadable manifest ({error})") from None
    if version > FORMAT_VERSION:
        raise QAError(
            f"{folder}: index format {version} is newer than this qa supports ({FORMAT_VERSION}); upgrade article-qa"
        )
    return Manifest.from_dict(data)


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
