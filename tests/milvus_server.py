"""A real `milvus-lite server` process on a free loopback port, for the tests and benchmarks of the Milvus store."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

STARTUP_SECONDS = 60


@contextmanager
def milvus_lite_server(data_dir: Path, *, log: Path | None = None) -> Iterator[str]:
    """Yield "HOST:PORT" of a milvus-lite server keeping its data in ``data_dir``; stop it (by its PID)
    afterwards."""
    with socket.socket() as probe:  # a free port; the server binds it a moment later
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = Path(sys.executable).parent / "milvus-lite"
    log_file = open(log or data_dir.parent / f"milvus-lite-{port}.log", "ab")
    process = subprocess.Popen(
        [str(command), "server", "--data-dir", str(data_dir), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        _wait_until_it_answers(process, port)
        yield f"127.0.0.1:{port}"
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait()
        log_file.close()


def _wait_until_it_answers(process: subprocess.Popen, port: int) -> None:
    from pymilvus import MilvusClient

    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"milvus-lite server exited with {process.returncode} before answering")
        try:
            client = MilvusClient(uri=f"http://127.0.0.1:{port}", timeout=2)
            client.list_collections()
            client.close()
            return
        except Exception:  # not listening yet
            if time.monotonic() > deadline:
                raise RuntimeError(f"milvus-lite server did not answer on port {port} in {STARTUP_SECONDS} s")
            time.sleep(0.2)
