"""Queries asked at the same time share one embedding call; each gets its own vector, or the error."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Sequence

import numpy as np
import pytest

from qa.embed.batching import QueryBatcher


class GatedEmbedder:
    """Vectors that encode each text's length; the first call waits until released, so queries
    submitted meanwhile queue up behind it."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.release = threading.Event()

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not self.calls:
            self.release.wait(10)
        self.calls.append(list(texts))
        if "fail" in texts:
            raise ValueError("cannot embed 'fail'")
        return np.array([[len(text), 1.0] for text in texts], dtype=np.float32)


def test_a_lone_query_is_embedded_at_once() -> None:
    model = GatedEmbedder()
    model.release.set()
    batcher = QueryBatcher(model.embed_queries)
    assert batcher.submit("abc").result(timeout=10).tolist() == [3.0, 1.0]
    batcher.close()
    assert model.calls == [["abc"]]


def test_queries_waiting_behind_a_batch_share_the_next_one() -> None:
    model = GatedEmbedder()
    batcher = QueryBatcher(model.embed_queries, max_batch=4)
    first = batcher.submit("x")
    waiting = [batcher.submit("y" * n) for n in range(1, 7)]
    model.release.set()
    assert first.result(timeout=10).tolist() == [1.0, 1.0]
    assert [future.result(timeout=10)[0] for future in waiting] == [1, 2, 3, 4, 5, 6]
    batcher.close()
    # The first batch holds "x" and whatever queued before the worker looked; all the rest had queued
    # by the time it was done, so they go in full batches of 4.
    first, *rest = [len(call) for call in model.calls]
    assert model.calls[0][0] == "x" and first + sum(rest) == 7
    assert rest == [4] * ((7 - first) // 4) + ([(7 - first) % 4] if (7 - first) % 4 else [])


def test_a_failing_batch_fails_its_callers_and_the_worker_goes_on() -> None:
    model = GatedEmbedder()
    batcher = QueryBatcher(model.embed_queries)
    held = batcher.submit("hold")
    failing, alongside = batcher.submit("fail"), batcher.submit("ok")
    model.release.set()
    held.result(timeout=10)
    with pytest.raises(ValueError, match="cannot embed 'fail'"):
        failing.result(timeout=10)
    with pytest.raises(ValueError):
        alongside.result(timeout=10)  # same batch
    assert batcher.submit("later").result(timeout=10)[0] == 5
    batcher.close()


def test_many_threads_each_get_their_own_vector() -> None:
    model = GatedEmbedder()
    model.release.set()
    batcher = QueryBatcher(model.embed_queries)
    with ThreadPoolExecutor(8) as pool:
        lengths = list(pool.map(lambda n: batcher.submit("z" * n).result(timeout=10)[0], range(1, 200)))
    batcher.close()
    assert lengths == list(range(1, 200))
    assert sum(len(call) for call in model.calls) == 199
