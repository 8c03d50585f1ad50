"""OpenVINO backends: a sentence-transformers model exported once (export), run without torch (runner,
embedder)."""

from qa.embed.openvino.embedder import OPENVINO_BACKENDS, OpenVINOEmbedder

__all__ = ["OPENVINO_BACKENDS", "OpenVINOEmbedder"]
