"""A real HTTP server on a free loopback port, serving what a test puts in it (pages, feeds, sitemaps,
PDFs and broken answers), and recording what was asked for. Started and stopped by the test."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering: a server that stalls
    declare_length: bool = True  # False: no Content-Length, the body ends when the connection closes


@dataclass
class Site:
    """Paths and their replies; ``requests`` lists every path asked for, in order, with its headers."""

    base: str = ""
    routes: dict[str, Reply | Callable[[dict[str, str]], Reply]] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path

    def put(self, path: str, body: bytes | str = b"", **reply: object) -> str:
        self.routes[path] = Reply(body.encode("utf-8") if isinstance(body, str) else body, **reply)
        return self.url(path)

    def asked(self, path: str) -> int:
        return sum(1 for asked, _ in self.requests if asked == path)


@contextmanager
def web_site(host: str = "127.0.0.1") -> Iterator[Site]:
    site = Site()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            headers = {name.lower(): value for name, value in self.headers.items()}
            site.requests.append((self.path, headers))
            route = site.routes.get(self.path)
            reply = route(headers) if callable(route) else route or Reply(b"not found", status=404, content_type="text/plain")
            if reply.delay:
                time.sleep(reply.delay)
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                if reply.declare_length:
                    self.send_header("Content-Length", str(len(reply.body)))
                else:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(reply.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test): nothing to do

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer((host, 0), Handler)
    server.daemon_threads = True
    server.handle_error = lambda request, address: None  # a client that hung up early is what timeout tests do
    site.base = f"http://{host}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
