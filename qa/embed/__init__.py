"""Sentence embeddings: the Embedder protocol, its backends and the factory that picks one.

Importing this package is cheap; torch (the "torch" backend, and exporting) and OpenVINO (the
"openvino-*" backends) load only when a backend is created."""

from qa.embed.base import BUNDLED_NAMES, Embedder, backend_of, resolve_model_path, vector_space_of
from qa.embed.cross_encoder import CrossEncoderReranker
from qa.embed.factory import BACKENDS, DEFAULT_BACKEND, check_backend, load_embedder
from qa.embed.sentence_transformer import SentenceTransformerEmbedder

__all__ = [
    "BACKENDS", "BUNDLED_NAMES", "CrossEncoderReranker", "DEFAULT_BACKEND", "Embedder", "SentenceTransformerEmbedder", "backend_of",
    "check_backend", "load_embedder", "resolve_model_path", "vector_space_of",
]
