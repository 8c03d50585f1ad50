"""Ingest speed by embedding backend (issue 6), measured side by side in one run.

A slice of the RealTimeQA articles goes through the whole pipeline (read, chunk, embed, commit) once
per backend, in interleaved rounds (torch, bf16, int8, torch, bf16, int8, …) so that drifting machine
load hits every backend alike; the best round of each is reported, with its speed-up over torch fp32.
Then, with --threads, the threading choices on this machine; with --queries, single-query latency;
with --txtai, txtai's Embeddings (default settings, same model folder) on the same chunk texts.

    .venv/bin/python bench/ingest_speed.py --articles 400 --rounds 2 --threads --queries
    .venv/bin/python bench/ingest_speed.py --articles 500 --rounds 1 --backends torch,openvino-int8 --txtai
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import platform
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH = ROOT.parent / "shared" / "bench" / "realtimeqa"

from ingest import embedded_texts, timed_pipeline  # noqa: E402  (bench/ingest.py, beside this script)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=400, help="articles of the slice, from the start")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds per backend (0: skip)")
    parser.add_argument("--backends", default="torch,openvino-bf16,openvino-int8")
    parser.add_argument("--threads", action="store_true", help="also compare thread and process layouts")
    parser.add_argument("--queries", action="store_true", help="also time single-query embedding")
    parser.add_argument("--txtai", action="store_true", help="also time txtai's Embeddings on the same texts")
    parser.add_argument("--serving", type=Path, metavar="INDEX", help="only time start-up and memory of serving INDEX")
    args = parser.parse_args()

    from qa.embed import load_embedder
    from qa.ingest import read_jsonl

    print(f"# {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.node()}, {os.cpu_count()} CPUs, load {_load()}")
    print(f"# command: .venv/bin/python bench/ingest_speed.py {' '.join(sys.argv[1:])}")
    if args.serving:
        serving(args.serving, args.backends.split(","))
        print(f"\n# load after: {_load()}")
        return
    articles = list(itertools.islice(read_jsonl(BENCH / "articles.jsonl"), args.articles))
    backends = args.backends.split(",")
    embedders = {backend: load_embedder("all-MiniLM-L6-v2", backend) for backend in backends}
    for embedder in embedders.values():
        embedder.embed_documents(["warm up"] * 4)
    texts = embedded_texts(articles, embedders[backends[0]])
    print(f"# slice: {len(articles)} articles, {len(texts)} chunks\n")
    if args.rounds:
        pipeline(articles, embedders, args.rounds)
    if args.threads:
        threads(texts[:256])
    if args.queries:
        queries(embedders)
    if args.txtai:
        txtai(texts, embedders)
    print(f"\n# load after: {_load()}")


def pipeline(articles, embedders: dict, rounds: int) -> None:
    times: dict[str, list[float]] = {backend: [] for backend in embedders}
    chunks = 0
    for _ in range(rounds):
        for backend, embedder in embedders.items():
            seconds, chunks = timed_pipeline(articles, embedder)
            times[backend].append(seconds)
    reference = min(times.get("torch", next(iter(times.values()))))
    print("| backend | rounds s | best s | chunks/s | articles/s | speed-up vs torch fp32 |")
    print("|---|---|---|---|---|---|")
    for backend, values in times.items():
        best = min(values)
        print(
            f"| {backend} | {' / '.join(f'{v:.1f}' for v in values)} | {best:.1f} | {chunks / best:.1f} | "
            f"{len(articles) / best:.2f} | {reference / best:.2f}× |"
        )


# -- threads and processes ---------------------------------------------------------------------------


def threads(texts: list[str]) -> None:
    """Bare encode of the same texts in each layout; each layout runs in a fresh process so that
    thread settings made at start-up take effect."""
    # OpenVINO's THROUGHPUT streams are the in-process form of "one single-threaded worker per core".
    layouts = {
        "torch, 1 process × 2 threads (the default)": ("torch", "2", 1),
        "torch, 1 process × 1 thread": ("torch", "1", 1),
        "torch, 2 processes × 1 thread": ("torch", "1", 2),
        "openvino-int8, 2 streams × 1 thread (THROUGHPUT, used for documents)": ("openvino-int8", "THROUGHPUT", 1),
        "openvino-int8, 1 stream × 2 threads (LATENCY, used for queries)": ("openvino-int8", "LATENCY", 1),
    }
    print(f"\n| layout ({len(texts)} chunks, bare encode) | s | chunks/s |")
    print("|---|---|---|")
    for name, (backend, setting, processes) in layouts.items():
        seconds = _in_processes(texts, backend, setting, processes)
        print(f"| {name} | {seconds:.1f} | {len(texts) / seconds:.1f} |", flush=True)


def _in_processes(texts: list[str], backend: str, setting: str, processes: int) -> float:
    context = multiprocessing.get_context("spawn")
    shares = [texts[i::processes] for i in range(processes)]
    with context.Pool(processes) as pool:
        ready = [pool.apply_async(_encode_share, (share, backend, setting, True)) for share in shares]
        [r.get() for r in ready]  # load models and warm up in every process first
        started = time.perf_counter()
        ready = [pool.apply_async(_encode_share, (share, backend, setting, False)) for share in shares]
        [r.get() for r in ready]
        return time.perf_counter() - started


_LOADED: dict = {}


def _encode_share(texts: list[str], backend: str, setting: str, warm_up: bool) -> None:
    if "embed" not in _LOADED:
        _LOADED["embed"] = _layout_encoder(backend, setting)
    _LOADED["embed"](texts[:8] if warm_up else texts)


def _layout_encoder(backend: str, setting: str) -> Callable[[Sequence[str]], object]:
    """Torch with ``setting`` threads, or OpenVINO with ``setting`` as its performance hint."""
    from qa.embed import load_embedder

    if backend == "torch":
        import torch

        torch.set_num_threads(int(setting))
        embedder = load_embedder("all-MiniLM-L6-v2", "torch")
        return lambda texts: embedder.embed_documents(texts)
    from qa.embed.openvino.runner import OpenVINORunner

    embedder = load_embedder("all-MiniLM-L6-v2", backend)
    runner = OpenVINORunner(embedder.export, embedder.precision, throughput=setting == "THROUGHPUT")
    return lambda texts: runner.embed(texts, batch_size=32)


# -- queries ------------------------------------------------------------------------------------------


def queries(embedders: dict) -> None:
    questions = [json.loads(line)["question"] for line in (BENCH / "questions.jsonl").open(encoding="utf-8")]
    print(f"\n| backend | query encode p50 ms | p95 ms ({len(questions)} RealTimeQA questions, one at a time) |")
    print("|---|---|---|")
    for backend, embedder in embedders.items():
        for question in questions[:5]:
            embedder.embed_queries([question])
        times = []
        for question in questions:
            started = time.perf_counter()
            embedder.embed_queries([question])
            times.append(1000 * (time.perf_counter() - started))
        print(f"| {backend} | {_p(times, 50):.1f} | {_p(times, 95):.1f} |")


# -- serving ----------------------------------------------------------------------------------------


def serving(index: Path, backends: list[str]) -> None:
    """Cold start of `qa search` and of `qa serve` up to its first answer, with peak memory, per backend."""
    print("| backend | cold `qa search` s | its peak RSS MB | `qa serve` start to first answer s | server peak RSS MB after 20 searches |")
    print("|---|---|---|---|---|")
    for backend in backends:
        search_seconds, search_mb = _cold_search(index, backend)
        serve_seconds, serve_mb = _cold_serve(index, backend)
        print(f"| {backend} | {search_seconds:.2f} | {search_mb:.0f} | {serve_seconds:.2f} | {serve_mb:.0f} |", flush=True)


def _qa() -> str:
    return str(Path(sys.executable).with_name("qa"))


def _cold_search(index: Path, backend: str) -> tuple[float, float]:
    import subprocess

    command = [_qa(), "search", "Which show was recently green lit for a new season?", "--index", str(index), "--json"]
    started = time.perf_counter()
    child = subprocess.Popen(
        command, env={**os.environ, "QA_BACKEND": backend}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(child.pid, 0)  # this child's own peak, not the largest child's so far
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise RuntimeError(f"{' '.join(command)} failed with {child.returncode}")
    return seconds, usage.ru_maxrss / 1024


def _cold_serve(index: Path, backend: str, port: int = 7391) -> tuple[float, float]:
    import subprocess
    import urllib.error
    import urllib.parse
    import urllib.request

    query = urllib.parse.urlencode({"q": "Which show was recently green lit for a new season?", "k": 5})
    url = f"http://127.0.0.1:{port}/api/search?{query}"
    started = time.perf_counter()
    server = subprocess.Popen(
        [_qa(), "serve", "--index", str(index), "--port", str(port)],
        env={**os.environ, "QA_BACKEND": backend}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            try:
                urllib.request.urlopen(url, timeout=60).read()
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.05)
        seconds = time.perf_counter() - started
        for _ in range(20):
            urllib.request.urlopen(url, timeout=60).read()
        status = Path(f"/proc/{server.pid}/status").read_text()
        peak_kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")))
        return seconds, peak_kb / 1024
    finally:
        server.terminate()
        server.wait(timeout=30)


# -- txtai --------------------------------------------------------------------------------------------


def txtai(texts: list[str], embedders: dict) -> None:
    """txtai's Embeddings with its defaults on the same chunk texts, next to our bare encode + index."""
    from txtai import Embeddings

    from qa.embed import resolve_model_path

    path = resolve_model_path("all-MiniLM-L6-v2")
    documents = [(n, text, None) for n, text in enumerate(texts)]
    runs: dict[str, float] = {}
    embeddings = Embeddings(path=path)
    embeddings.index(documents[:8])  # loads the model
    started = time.perf_counter()
    embeddings.index(documents)
    runs["txtai Embeddings(path=MiniLM).index, defaults"] = time.perf_counter() - started
    for backend, embedder in embedders.items():
        started = time.perf_counter()
        embedder.embed_documents(texts)
        runs[f"article-qa {backend}, bare encode"] = time.perf_counter() - started
    txtai_seconds = runs["txtai Embeddings(path=MiniLM).index, defaults"]
    print(f"\n| system ({len(texts)} chunk texts) | s | chunks/s | vs txtai |")
    print("|---|---|---|---|")
    for name, seconds in runs.items():
        print(f"| {name} | {seconds:.1f} | {len(texts) / seconds:.1f} | {txtai_seconds / seconds:.2f}× |")


def _p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


if __name__ == "__main__":
    main()
