"""Other processes that write to one index or store at once, for the tests of the write locks: the local
folder's write.lock (tests/test_two_writers.py) and a Milvus store's lease (tests/store/test_milvus_lease.py)."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
WORDS = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar".split()

# Opens (or creates) the index, loads the model, waits for its peer to be as far, then adds its articles.
INGEST_SCRIPT = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from qa.config import Settings
    from qa.index import Index
    from qa.types import Article
    location, model, ready, name, plan = sys.argv[1:6]
    with Index.open(location, settings=Settings(model=model, commit_chunks=4), create=True) as index:
        index.embedder
        (Path(ready) / name).touch()
        while len(list(Path(ready).iterdir())) < 2:
            time.sleep(0.005)
        articles = [Article(id=id_, title=f"Story {n}", text=text) for id_, n, text in json.loads(plan)]
        print(json.dumps(index.add(articles).to_dict()))
    """
)


def story(n: int) -> str:
    return " ".join(f"{WORDS[(n * 7 + i) % len(WORDS)]}{n}" for i in range(60)) + "."


def racing_ingests(location: str, model: str, ready: Path) -> list[subprocess.Popen]:
    """Two processes adding the same 30 stories in the same order, so that both reach each one together;
    the second names half of them differently (another outlet's copy) and brings 5 of its own."""
    first = [(f"a{n}", n, story(n)) for n in range(30)]
    second = [(f"a{n}" if n < 15 else f"b{n}", n, story(n)) for n in range(35)]
    ready.mkdir()
    return [
        subprocess.Popen(
            [sys.executable, "-c", INGEST_SCRIPT, location, model, str(ready), name, json.dumps(plan)],
            cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for name, plan in (("first", first), ("second", second))
    ]


class Holder:
    """Another process running ``script`` (hold.py: it takes a write lock on ``location``, prints "held"
    and keeps it until its stdin closes) until released or killed."""

    def __init__(self, script: str, location: str, script_dir: Path) -> None:
        path = script_dir / "hold.py"
        path.write_text(script, encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, str(path), location], env=ENV, cwd=ROOT, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        line = self.process.stdout.readline()
        assert line == "held\n", self.process.stderr.read()
        self.pid = self.process.pid

    def release(self) -> None:
        self.process.stdin.close()
        assert self.process.wait(timeout=30) == 0

    def kill(self) -> None:
        if self.process.poll() is None:
            os.kill(self.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


def waiting_ingest(news: Path, location: str, option: str, holder: Holder, *, seconds: float) -> WaitingIngest:
    """`qa ingest NEWS` (``option``: --index or --store, naming ``location``) started while ``holder`` holds
    the write lock, checked to have said once, within ``seconds``, that it waits for that holder."""
    process = subprocess.Popen(
        [sys.executable, "-m", "qa.cli", "ingest", str(news), option, location],
        cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    stderr: list[str] = []
    threading.Thread(target=lambda: stderr.extend(process.stderr), daemon=True).start()
    deadline = time.monotonic() + seconds
    while not any("waiting" in line for line in stderr) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    waiting = [line for line in stderr if "waiting" in line]
    assert len(waiting) == 1 and re.fullmatch(
        rf"qa: waiting for hold\.py \(pid {holder.pid} on {re.escape(socket.gethostname())}, since \S+Z\) "
        rf"to finish writing to {re.escape(location)}…\n", waiting[0],
    ), stderr
    return WaitingIngest(process, stderr)


@dataclass(frozen=True)
class WaitingIngest:
    process: subprocess.Popen
    stderr: list[str]  # its lines so far, and more as they come
