"""Load test of GET /api/search over loopback: N concurrent clients for D seconds, questions cycled.

    .venv/bin/python bench/api_load.py --index /root/.cache/article-qa/rtqa-default [--clients 8] [--seconds 60]
    .venv/bin/python bench/api_load.py --url http://127.0.0.1:7860 [--token TOKEN]

With --index it starts `qa serve` on that index on a free loopback port (and stops it afterwards);
with --url it loads a server that is already running. Prints throughput, latency percentiles and
the error count. Targets: p50 <= 30 ms, p95 <= 60 ms."""

from __future__ import annotations

import argparse
import itertools
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import httpx

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT.parent / "shared" / "bench" / "realtimeqa" / "questions.jsonl"
STARTUP_SECONDS = 180


@dataclass
class Tally:
    """What the clients measured; each client appends under the lock."""

    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    errors: int = 0
    first_error: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, seconds: float, problem: str = "") -> None:
        with self.lock:
            if problem:
                self.errors += 1
                self.first_error = self.first_error or problem
            else:
                self.latencies.append(seconds)


def main() -> int:
    args = _parser().parse_args()
    questions = _questions(Path(args.questions))
    headers = {"Authorization": f"Bearer {args.token}"} if args.token else {}
    params = {"k": args.k, **({"mode": args.mode} if args.mode else {})}
    with _server(args.index, args.url) as url:
        _warm_up(url, headers, questions)
        started = time.perf_counter()
        tally = _load(url, headers, params, questions, clients=args.clients, seconds=args.seconds)
        elapsed = time.perf_counter() - started
    report = _report(tally, elapsed, clients=args.clients, k=args.k, mode=args.mode)
    print(json.dumps(report, indent=2) if args.json else _readable(report))
    return 1 if tally.errors else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--index", help="serve this index with `qa serve` for the run")
    target.add_argument("--url", help="load this running server instead, e.g. http://127.0.0.1:7860")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--seconds", type=float, default=60, help="how long to load the server (default 60)")
    parser.add_argument("-k", type=int, default=5, help="passages per search (default 5)")
    parser.add_argument("--mode", help="search mode to ask for (default: the server's)")
    parser.add_argument("--questions", default=str(QUESTIONS), help="JSONL with a 'question' field per line")
    parser.add_argument("--token", help="access token, if the server wants one")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def _questions(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as lines:
        questions = [json.loads(line)["question"] for line in lines if line.strip()]
    if not questions:
        raise SystemExit(f"{path}: no questions")
    return questions


@contextmanager
def _server(index: str | None, url: str | None) -> Iterator[str]:
    if url:
        yield url.rstrip("/")
        return
    port = _free_port()
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "qa.cli", "serve", "--index", str(index), "--port", str(port)],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            started = time.perf_counter()
            base = f"http://127.0.0.1:{port}"
            _wait_until_healthy(base, process, log)
            print(f"server up in {time.perf_counter() - started:.1f} s", file=sys.stderr)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=30)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_healthy(base: str, process: subprocess.Popen, log) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise SystemExit(f"server exited:\n{log.read()[-2000:]}")
        try:
            if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"server not healthy after {STARTUP_SECONDS} s")


def _warm_up(url: str, headers: dict[str, str], questions: list[str]) -> None:
    with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        for question in questions[:5]:
            client.get("/api/search", params={"q": question}).raise_for_status()


def _load(
    url: str, headers: dict[str, str], params: dict, questions: list[str], *, clients: int, seconds: float
) -> Tally:
    tally = Tally()
    deadline = time.perf_counter() + seconds
    threads = [
        # Each client starts at its own place in the list, so they do not ask the same question at once.
        threading.Thread(
            target=_client, args=(url, headers, params, questions[offset::clients] or questions, deadline, tally)
        )
        for offset in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally


def _client(
    url: str, headers: dict[str, str], params: dict, questions: list[str], deadline: float, tally: Tally
) -> None:
    """Search one question after another until the deadline; each request times out, so this ends."""
    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        for question in itertools.cycle(questions):
            if time.perf_counter() >= deadline:
                return
            started = time.perf_counter()
            try:
                reply = client.get("/api/search", params={"q": question, **params})
                problem = "" if reply.status_code == 200 else f"HTTP {reply.status_code}: {reply.text[:200]}"
            except httpx.HTTPError as error:
                problem = f"{type(error).__name__}: {error}"
            tally.record(time.perf_counter() - started, problem)


def _report(tally: Tally, elapsed: float, *, clients: int, k: int, mode: str | None) -> dict:
    latencies = sorted(tally.latencies)
    cuts = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else latencies * 99
    return {
        "clients": clients, "seconds": round(elapsed, 1), "k": k, "mode": mode or "server default",
        "requests": len(latencies) + tally.errors, "errors": tally.errors,
        "throughput_per_s": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": _milliseconds(cuts[49]) if cuts else None,
        "p95_ms": _milliseconds(cuts[94]) if cuts else None,
        "p99_ms": _milliseconds(cuts[98]) if cuts else None,
        "max_ms": _milliseconds(latencies[-1]) if latencies else None,
        "first_error": tally.first_error,
    }


def _milliseconds(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _readable(report: dict) -> str:
    lines = [
        f"{report['requests']} searches by {report['clients']} clients in {report['seconds']} s "
        f"(k={report['k']}, mode: {report['mode']})",
        f"throughput  {report['throughput_per_s']} searches/s",
        f"latency     p50 {report['p50_ms']} ms · p95 {report['p95_ms']} ms · p99 {report['p99_ms']} ms "
        f"· max {report['max_ms']} ms",
        f"errors      {report['errors']}" + (f" (first: {report['first_error']})" if report["errors"] else ""),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
