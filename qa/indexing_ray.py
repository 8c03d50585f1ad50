"""`qa ingest --ray`: qa.indexing's pipeline with the embedding on a Ray cluster.

The driver reads and parses (qa.ingest: the files need not be on the workers), groups the articles
into commit batches and drops the ones already stored (indexing.batches, indexing.Planner), exactly as
a plain ingest does. A window of these batches goes through Ray Data: indexing.prepare (chunk, quotes,
embed passages and quote framings in one pass, story signature) runs in a pool of actors, each loading
the model once. Results come back in order and the driver commits them batch by batch through the
Index's store (indexing.commit), so a killed run resumes where it stopped and the index equals a plain
ingest's.
"""

from __future__ import annotations

import os
import socket
import time
from typing import TYPE_CHECKING, Iterable

from qa import indexing
from qa.embed import backend_of
from qa.errors import QAError

if TYPE_CHECKING:
    import numpy as np

    from qa.embed import Embedder
    from qa.store import Chunking
    from qa.store.protocol import StoreBackend
    from qa.types import Article, IngestError, IngestReport

LOCAL = "local"  # --ray local: start a Ray instance in this process
LOCAL_NODE_IP = "127.0.0.2"  # loopback: Ray would replace 127.0.0.1 with the machine's network address
WINDOW_ARTICLES = 4096  # articles per Ray Data run: held in the driver's memory; one model load per actor
ACTOR_CPUS = 1.0  # one actor per CPU the cluster offers
REACH_SECONDS = 10  # for the head to accept a connection: ray.init retries an unreachable one for minutes


def add_articles(
    store: StoreBackend, embedder: Embedder, items: Iterable[Article | IngestError], *, address: str, embed_batch: int,
    commit_chunks: int, on_progress: indexing.ProgressCallback | None = None,
) -> IngestReport:
    """indexing.add_articles with the preparation on the Ray cluster at ``address`` ("local": a new
    one in this process); ``embedder`` names the model and backend the actors load."""
    import ray

    started = time.perf_counter()
    tally = indexing.Tally()
    planner = indexing.Planner(store, tally)
    _connect(address)
    pool = _Pool(embedder.name, backend_of(embedder), store.manifest.chunking, embed_batch)
    try:
        window: list[tuple[int, list[Article]]] = []
        for batch in indexing.batches(items, tally, commit_chunks):
            window.append((len(batch), planner.fresh(batch)))
            if sum(len(fresh) for _, fresh in window) >= WINDOW_ARTICLES:
                pool.run(store, window, tally, planner, on_progress)
                window = []
        pool.run(store, window, tally, planner, on_progress)
    finally:
        store.save()
        ray.shutdown()
    return tally.report(time.perf_counter() - started)


def check_address(address: str) -> None:
    """QAError unless ``address`` is "local" or the HOST:PORT of something accepting connections."""
    if address == LOCAL:
        return
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise QAError(f"--ray {address}: expected HOST:PORT of a Ray cluster's head, or {LOCAL!r}")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=REACH_SECONDS).close()
    except OSError as error:
        raise QAError(f"--ray {address}: no Ray cluster answers there ({error})") from error


def _connect(address: str) -> None:
    import ray

    check_address(address)
    try:
        if address == LOCAL:
            # The product runs offline: the instance it starts sends no usage statistics unless the user
            # asked for them (Ray's daemons read this from the environment they inherit).
            os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
            ray.init(  # "local": a new instance, never one found running on this machine
                address=LOCAL, _node_ip_address=LOCAL_NODE_IP, include_dashboard=False, log_to_driver=False,
                logging_level="WARNING",
            )
        else:
            ray.init(address=address, log_to_driver=False, logging_level="WARNING")
    except (ConnectionError, RuntimeError, ValueError) as error:
        raise QAError(f"--ray {address}: cannot connect to the Ray cluster: {error}") from error


class _Pool:
    """Runs windows of commit batches through Ray Data's actor pool and commits what comes back."""

    def __init__(self, model: str, backend: str, chunking: Chunking, embed_batch: int) -> None:
        self.setup = {"model": model, "backend": backend, "chunking": chunking, "embed_batch": embed_batch}

    def run(
        self, store: StoreBackend, window: list[tuple[int, list[Article]]], tally: indexing.Tally, planner: indexing.Planner,
        on_progress: indexing.ProgressCallback | None,
    ) -> None:
        import ray

        prepared: Iterable[dict] = ()
        rows = [{"articles": fresh} for _, fresh in window if fresh]
        if rows:
            context = ray.data.DataContext.get_current()
            context.execution_options.preserve_order = True  # batches are committed in input order
            context.enable_progress_bars = False  # the driver's tqdm counts committed articles
            actors = max(1, min(len(rows), int(ray.cluster_resources().get("CPU", 1) // ACTOR_CPUS)))
            prepared = ray.data.from_items(rows).map_batches(
                _Preparer, fn_constructor_kwargs=self.setup, batch_size=1, batch_format="numpy",
                compute=ray.data.ActorPoolStrategy(size=actors), num_cpus=ACTOR_CPUS,
            ).iter_rows()
        results = iter(prepared)
        for size, fresh in window:
            indexing.commit(store, next(results)["new"] if fresh else [], tally)
            planner.committed(fresh)
            if on_progress:
                on_progress(size)


class _Preparer:
    """One actor of the pool: the model loaded once, then indexing.prepare on each commit batch, the same
    articles a plain ingest embeds together (so the same texts share the model's batches: the same vectors)."""

    def __init__(self, model: str, backend: str, chunking: Chunking, embed_batch: int) -> None:
        from qa.embed import load_embedder

        self.embedder = load_embedder(model, backend)
        self.chunking, self.embed_batch = chunking, embed_batch

    def __call__(self, rows: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        import numpy as np

        new = np.empty(len(rows["articles"]), dtype=object)
        new[:] = [
            indexing.prepare(list(articles), chunking=self.chunking, embedder=self.embedder, embed_batch=self.embed_batch)
            for articles in rows["articles"]
        ]
        return {"new": new}
