"""Queries that arrive together are embedded together.

A server's searches run side by side; each needs its query embedded, and one forward pass over a
batch of short queries costs less CPU than one pass per query: on this 2-core machine 8.4 ms a query
alone, 4.8 ms in batches of 8; 8 callers at once used 4.7 ms a query through this batcher against
5.2 ms calling the model each on its own (bench/query_embedding.py, BENCHMARKS.md). One worker thread
takes every query waiting when it is free, so a lone query goes through at once and queries that
queue behind a running batch share the next one (dynamic batching, as model servers do it; no
waiting window).
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from typing import Callable, Sequence

import numpy as np

MAX_BATCH = 32  # queries a batch takes at most: a long queue is served in a few passes


class QueryBatcher:
    """``submit(text)`` gives a Future of the text's query vector, computed by ``embed_queries`` in a
    batch with whatever other queries wait at the time."""

    def __init__(self, embed_queries: Callable[[Sequence[str]], np.ndarray], max_batch: int = MAX_BATCH) -> None:
        self._embed_queries = embed_queries
        self._max_batch = max_batch
        self._waiting: queue.SimpleQueue[tuple[str, Future] | None] = queue.SimpleQueue()
        self._worker: threading.Thread | None = None
        self._start = threading.Lock()

    def submit(self, text: str) -> Future:
        future: Future = Future()
        self._waiting.put((text, future))
        with self._start:
            if self._worker is None:
                self._worker = threading.Thread(target=self._serve, name="qa-query-batches", daemon=True)
                self._worker.start()
        return future

    def close(self) -> None:
        """Stop the worker once the queries already submitted are done."""
        with self._start:
            if self._worker is not None:
                self._waiting.put(None)
                self._worker.join()
                self._worker = None

    def _serve(self) -> None:
        while True:
            first = self._waiting.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self._max_batch:
                try:
                    item = self._waiting.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._answer(batch)
                    return
                batch.append(item)
            self._answer(batch)

    def _answer(self, batch: list[tuple[str, Future]]) -> None:
        try:
            vectors = self._embed_queries([text for text, _ in batch])
        except Exception as error:  # the callers' failure, not the worker's: it goes on serving
            for _, future in batch:
                future.set_exception(error)
            return
        for (_, future), vector in zip(batch, vectors):
            future.set_result(vector)
