"""`qa serve` start-up (issue 6): from launching the process to its first real answers, and its memory.

Two clocks start when the process is launched (the interpreter's own start-up included):

* **API**: the first ``GET /api/search?q=...`` that returns 200 with at least one hit;
* **chat**: ``GET /`` returns the Gradio page (not a "starting" page) *and* a question sent through
  the page's own endpoint (``POST /gradio_api/call/ask``, then its event stream) completes with an
  answer — what a browser needs before its first question is answered.

Each is polled by its own thread (the API every 20 ms; the page every 100 ms, as each poll of a server
that is building its page in a thread takes the GIL from that thread), so one does not wait for the
other. With each time goes the CPU time (user + system) the server had used by then: on a machine shared with other jobs
it varies far less than the wall time. Then 20 searches and 3 chat answers more, and the server's
peak RSS (VmHWM) is read from /proc after each.

Several code trees can be compared side by side (``--tree before=/tmp/before --tree after=.``), in
interleaved rounds so that drifting machine load hits each alike; each runs ``python -m qa.cli serve``
with its own folder first on the path. The index is copied to a temporary folder first, because
serving may write to it (the keyword index of a new generation, quotes on a first "what did X say"
question), and each tree is launched once untimed first, so that every timed round finds what an
earlier start left behind and a warm file cache.

    .venv/bin/python bench/serve_startup.py --rounds 3
    .venv/bin/python bench/serve_startup.py --tree before=/tmp/before --tree after=. --rounds 5
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INDEX = Path.home() / ".cache" / "article-qa" / "issue6" / "rtqa-openvino-int8"
QUESTION = "Which show was recently green lit for a new season?"
POLL_SECONDS = {"health": 0.02, "api": 0.02, "chat": 0.1}
GIVE_UP_SECONDS = 120


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, default=DEFAULT_INDEX, help="index to serve (copied first)")
    parser.add_argument(
        "--tree", action="append", metavar="LABEL=DIR",
        help="a code tree to run (repeatable; default: this working tree)",
    )
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per tree")
    parser.add_argument("--no-copy", action="store_true", help="serve --index in place (it may be written to)")
    parser.add_argument("--no-warm-up", action="store_true", help="skip the untimed first launch of each tree")
    args = parser.parse_args()

    trees = dict(_tree(spec) for spec in args.tree or [f"working-tree={ROOT}"])
    now = datetime.now(timezone.utc)
    print(f"# {now:%Y-%m-%d %H:%M} UTC, {platform.node()}, {os.cpu_count()} CPUs, load {_load()}")
    print(f"# command: .venv/bin/python bench/serve_startup.py {' '.join(sys.argv[1:])}")
    print(f"# trees: {', '.join(f'{label}={folder}' for label, folder in trees.items())}")
    with tempfile.TemporaryDirectory(prefix="qa-serve-bench-") as scratch:
        index = args.index
        if not args.no_copy:
            index = Path(scratch) / "index"
            shutil.copytree(args.index, index)
        print(f"# index: {args.index} ({json.loads((args.index / 'manifest.json').read_text())['chunks']} chunks)\n")
        if not args.no_warm_up:
            for folder in trees.values():
                cold_serve(folder, index)
        print("| tree | round | load | /api/health s | first /api/search answer s (CPU s) "
              "| chat page + first chat answer s (CPU s) | peak RSS MB, after 20 searches / 3 chat answers |")
        print("|---|---|---|---|---|---|---|")
        results: dict[str, list[dict]] = {label: [] for label in trees}
        for number in range(1, args.rounds + 1):
            for label, folder in trees.items():
                load = _load().split()[0]
                result = cold_serve(folder, index)
                results[label].append(result)
                print(
                    f"| {label} | {number} | {load} | {result['health']:.2f} | {result['api']:.2f} "
                    f"({result['api_cpu']:.2f}) | {result['chat']:.2f} ({result['chat_cpu']:.2f}) | "
                    f"{result['search_peak_mb']:.0f} / {result['peak_mb']:.0f} |", flush=True,
                )
    print(
        "\n| tree | median first /api/search s (CPU s) | median first chat answer s (CPU s) | best API / chat s "
        "| max peak RSS MB |"
    )
    print("|---|---|---|---|---|")
    for label, runs in results.items():
        median = {key: statistics.median(run[key] for run in runs) for key in ("api", "api_cpu", "chat", "chat_cpu")}
        print(
            f"| {label} | {median['api']:.2f} ({median['api_cpu']:.2f}) | {median['chat']:.2f} "
            f"({median['chat_cpu']:.2f}) | {min(run['api'] for run in runs):.2f} / "
            f"{min(run['chat'] for run in runs):.2f} | {max(run['peak_mb'] for run in runs):.0f} |"
        )
    print(f"\n# load after: {_load()}")


def _tree(spec: str) -> tuple[str, Path]:
    label, _, folder = spec.partition("=")
    if not folder:
        raise SystemExit(f"--tree wants LABEL=DIR, not {spec!r}")
    path = Path(folder).resolve()
    if not (path / "qa" / "cli.py").is_file():
        raise SystemExit(f"{path}: no qa/cli.py there")
    return label, path


def cold_serve(tree: Path, index: Path) -> dict[str, float]:
    """Launch `qa serve` from ``tree`` and time its first API answer and its first chat answer."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    environment = {**os.environ, "PYTHONPATH": str(tree)}
    log = tempfile.TemporaryFile()
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "qa.cli", "serve", "--index", str(index), "--port", str(port)],
        cwd=tree, env=environment, stdout=log, stderr=subprocess.STDOUT,
    )
    times: dict[str, float] = {}
    pollers = [
        threading.Thread(target=_poll, args=(name, check, base, started, times, server), daemon=True)
        for name, check in (("health", _health_answers), ("api", _search_answers), ("chat", _chat_answers))
    ]
    try:
        for poller in pollers:
            poller.start()
        for poller in pollers:
            poller.join()
        missing = {"health", "api", "chat"} - set(times)
        if missing:
            log.seek(0)
            said = log.read().decode("utf-8", "replace")[-3000:]
            raise RuntimeError(f"{tree}: no {', '.join(sorted(missing))} answer; server said:\n{said}")
        for _ in range(20):
            _search_answers(base)
        after_searches = _peak_mb(server.pid)
        for _ in range(3):
            _chat_answers(base)
        return {**times, "search_peak_mb": after_searches, "peak_mb": _peak_mb(server.pid)}
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _poll(name, check, base, started, times, server) -> None:
    deadline = time.monotonic() + GIVE_UP_SECONDS
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if check(base):
                times[name] = time.perf_counter() - started
                times[f"{name}_cpu"] = _cpu_seconds(server.pid)
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError, KeyError):
            pass
        time.sleep(POLL_SECONDS[name])


def _health_answers(base: str) -> bool:
    with urllib.request.urlopen(f"{base}/api/health", timeout=60) as reply:
        return reply.status == 200


def _search_answers(base: str) -> bool:
    query = urllib.parse.urlencode({"q": QUESTION, "k": 5})
    with urllib.request.urlopen(f"{base}/api/search?{query}", timeout=60) as reply:
        return reply.status == 200 and len(json.load(reply)["hits"]) > 0


def _chat_answers(base: str) -> bool:
    """The Gradio page is served and a question asked through it completes with an answer."""
    home = urllib.request.Request(base + "/", headers={"accept": "text/html"})
    with urllib.request.urlopen(home, timeout=60) as page:
        if page.status != 200 or "gradio_config" not in page.read().decode("utf-8", "replace"):
            return False
    body = json.dumps({"data": [QUESTION, [], "All outlets", None, None, 5]}).encode()
    call = urllib.request.Request(
        f"{base}/gradio_api/call/ask", data=body, headers={"content-type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(call, timeout=60) as reply:
        event_id = json.load(reply)["event_id"]
    with urllib.request.urlopen(f"{base}/gradio_api/call/ask/{event_id}", timeout=60) as stream:
        event = ""
        for raw in stream:
            line = raw.decode("utf-8", "replace").strip()
            if line.startswith("event:"):
                event = line.partition(":")[2].strip()
            elif line.startswith("data:") and event == "complete":
                chat = json.loads(line.partition(":")[2])[1]
                return bool(chat) and chat[-1]["role"] == "assistant"
            elif event == "error":
                return False
    return False


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process so far, all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))) / 1024


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


if __name__ == "__main__":
    main()
