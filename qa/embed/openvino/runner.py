"""Running one compiled OpenVINO model: texts in, unit vectors out."""

from __future__ import annotations

import queue
from typing import TYPE_CHECKING, Sequence

import numpy as np

from qa.config import cache_root

if TYPE_CHECKING:
    from qa.embed.openvino.export import Export


class OpenVINORunner:
    """One compiled model: texts in, unit vectors out.

    ``throughput`` runs one inference stream per core, each single-threaded, with batches in flight
    on all of them (the fastest way to embed many texts on a small machine); otherwise one stream uses
    every core for one batch at a time (the lowest latency for one query)."""

    def __init__(self, export: Export, precision: str, *, throughput: bool = True) -> None:
        import openvino as ov

        hint = "THROUGHPUT" if throughput else "LATENCY"
        # OpenVINO's own cache of compiled models: a start-up compiles in ~0.2 s instead of 0.6–0.9 s.
        cache = cache_root() / "openvino-compiled"
        config = {"INFERENCE_PRECISION_HINT": precision, "PERFORMANCE_HINT": hint, "CACHE_DIR": str(cache)}
        self._compiled = ov.Core().compile_model(str(export.model_file), "CPU", config)
        self._jobs = int(self._compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS"))
        # Sets of infer requests not in use. Making one allocates its buffers: that took a third of
        # the time of embedding one query (7.7 against 5.5 ms), so calls reuse them; calls running side
        # by side (a server's searches) each take a set of their own.
        self._idle: queue.SimpleQueue[list] = queue.SimpleQueue()
        self._tokens = export.tokens()
        self.dimension = export.dimension
        # Batches padded to a few shapes keep OpenVINO's per-shape memory bounded (qa/embed/tokens.py).
        self.bucketed = True

    def embed(self, texts: Sequence[str], *, batch_size: int) -> np.ndarray:
        try:
            requests = self._idle.get_nowait()
        except queue.Empty:
            requests = [self._compiled.create_infer_request() for _ in range(self._jobs)]
        try:
            return self._embed(texts, batch_size, requests)
        finally:
            self._idle.put(requests)

    def _embed(self, texts: Sequence[str], batch_size: int, requests: list) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        # Requests take batches in turn; each is emptied just before it gets the next. (No Python
        # callbacks: AsyncInferQueue's can deadlock on the GIL when every request is busy.)
        in_flight: list[np.ndarray | None] = [None] * self._jobs
        for number, batch in enumerate(self._tokens.batches(texts, batch_size, bucketed=self.bucketed)):
            slot = number % self._jobs
            _collect(requests[slot], in_flight[slot], vectors)
            requests[slot].start_async(batch.feeds)
            in_flight[slot] = batch.rows
        for request, rows in zip(requests, in_flight):
            _collect(request, rows, vectors)
        return _unit_length(vectors)


def _collect(request, rows: np.ndarray | None, vectors: np.ndarray) -> None:
    if rows is not None:
        request.wait()
        # Copied (the request reuses its buffer), without the rows that pad the batch's shape.
        vectors[rows] = request.get_output_tensor(0).data[: len(rows)]


def _unit_length(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.ascontiguousarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)
