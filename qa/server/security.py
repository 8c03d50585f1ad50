"""What the server tells browsers about its responses, and the checks a browser's session needs beyond
its cookie: security headers with one Content-Security-Policy, the same-origin test for requests that
change state, and the limit on wrong tokens at /login."""

from __future__ import annotations

import base64
import hashlib
import math
import re
import threading
import time
from collections import OrderedDict, deque
from typing import TYPE_CHECKING, Callable, Iterable
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from starlette.requests import HTTPConnection
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The one Content-Security-Policy, sent with every response. Gradio's page, the Swagger page, the
# starting page and the login form all come from this server, so almost everything is 'self'.
CSP_SOURCES = (
    # Anything not named below: this server only.
    ("default-src", "'self'"),
    # Script files from this server; inline scripts only where a page is known to write its own (see
    # PAGES_WITH_INLINE_SCRIPTS): each gets its sha256 added, so no injected <script> or onerror=
    # handler runs. No 'unsafe-inline'.
    ("script-src", "'self'"),
    # Gradio's page carries a <style> block and style="" attributes, and its Svelte components set
    # style attributes and add <style> elements (the theme, our CSS) as they render; the login and
    # starting pages have a <style> block. CSS cannot run script, so this is the one 'unsafe-inline'.
    ("style-src", "'self' 'unsafe-inline'"),
    # Gradio's and Swagger UI's icons include data: SVGs (measured: blob: is not needed, uploads here
    # being text, not images).
    ("img-src", "'self' data:"),
    # Gradio's queue (fetch and server-sent events) and uploads, /api/health polled by the starting
    # page, Swagger's "try it out": all to this origin (no WebSocket: Gradio 6 uses SSE).
    ("connect-src", "'self'"),
    ("object-src", "'none'"),
    # Gradio's page sets a <base> of this server's own URL as it starts.
    ("base-uri", "'self'"),
    # The login form posts to /login; no page posts a form elsewhere.
    ("form-action", "'self'"),
    # Nobody frames these pages (clickjacking); X-Frame-Options says the same to older browsers.
    ("frame-ancestors", "'none'"),
)
# Paths whose HTML pages write inline scripts of their own, and what else their scripts need: Gradio's
# page (its config and loader; the starting page is served at the same path) and the Swagger page. Only
# these get their inline scripts hashed: HTML served elsewhere (a file Gradio serves back, say) runs no
# inline script at all. Gradio's gr.HTML evaluates its template (ours, "${value}") and js_on_load with
# Function(), so its page needs 'unsafe-eval'; the values it shows are escaped by qa.server.chat_html.
PAGES_WITH_INLINE_SCRIPTS = {"/": ("'unsafe-eval'",), "/api/docs": ()}
HEADERS = (
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
    ("x-frame-options", "DENY"),
)

_INLINE_SCRIPT = re.compile(rb"<script\b(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)


def content_security_policy(script_sources: Iterable[str] = ()) -> str:
    """The policy, with ``script_sources`` (hashes, 'unsafe-eval') added to script-src."""
    scripts = "".join(f" {source}" for source in script_sources)
    return "; ".join(f"{name} {sources}{scripts if name == 'script-src' else ''}" for name, sources in CSP_SOURCES)


def inline_script_hashes(page: bytes) -> tuple[str, ...]:
    """The CSP sources of a page's inline scripts ('sha256-...'), in order, each once."""
    digests = (base64.b64encode(hashlib.sha256(body).digest()).decode() for body in _INLINE_SCRIPT.findall(page))
    return tuple(f"'sha256-{digest}'" for digest in dict.fromkeys(digests))


class SecurityHeaders:
    """Adds the security headers and the Content-Security-Policy to every HTTP response. A page at one of
    PAGES_WITH_INLINE_SCRIPTS is held until its body is complete (it is small), so that the policy can
    name its inline scripts; every other response streams through as it comes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._plain_policy = content_security_policy()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held: list[Message] = []

        async def secured(message: Message) -> None:
            if held:
                held.append(message)
                if not message.get("more_body", False):
                    page = b"".join(part.get("body", b"") for part in held[1:])
                    sources = (*PAGES_WITH_INLINE_SCRIPTS[scope["path"]], *inline_script_hashes(page))
                    held[0]["headers"] = _with_headers(held[0], content_security_policy(sources))
                    for part in held:
                        await send(part)
            elif message["type"] == "http.response.start" and _is_page_with_scripts(scope, message):
                held.append(message)
            else:
                if message["type"] == "http.response.start":
                    message["headers"] = _with_headers(message, self._plain_policy)
                await send(message)

        await self.app(scope, receive, secured)


def _is_page_with_scripts(scope: Scope, start: Message) -> bool:
    content_type = dict(start.get("headers", ())).get(b"content-type", b"")
    return scope["path"] in PAGES_WITH_INLINE_SCRIPTS and content_type.startswith(b"text/html")


def _with_headers(start: Message, policy: str) -> list[tuple[bytes, bytes]]:
    ours = [*HEADERS, ("content-security-policy", policy)]
    names = {name.encode() for name, _ in ours}
    kept = [(name, value) for name, value in start.get("headers", ()) if name.lower() not in names]
    return kept + [(name.encode(), value.encode()) for name, value in ours]


_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def same_origin(connection: HTTPConnection) -> bool:
    """Whether the page that sent this request is of this server's origin, by its Origin header (or its
    Referer, lacking one), compared with the scheme and Host the request came in with. A request naming
    neither is not taken as same-origin: browsers send Origin with every cross-origin or non-GET fetch.
    Behind a TLS proxy, uvicorn takes the scheme from X-Forwarded-Proto of a trusted proxy."""
    claimed = connection.headers.get("origin") or connection.headers.get("referer") or ""
    host = connection.headers.get("host", "")
    if not claimed or claimed == "null" or not host:
        return False
    scheme = {"ws": "http", "wss": "https"}.get(connection.url.scheme, connection.url.scheme)
    try:
        sender, ours = urlsplit(claimed), urlsplit(f"{scheme}://{host}")
        return (sender.scheme, sender.hostname, sender.port or _DEFAULT_PORTS.get(sender.scheme)) == (
            ours.scheme, ours.hostname, ours.port or _DEFAULT_PORTS.get(ours.scheme)
        )
    except ValueError:  # a port that is not a number
        return False


class LoginLimiter:
    """Wrong tokens per client address: after ``attempts`` within ``window`` seconds, the address waits
    until the oldest of them is that old. At most ``max_clients`` addresses are remembered (the ones
    not heard from longest are forgotten first), so a flood of addresses cannot fill the memory."""

    def __init__(
        self, *, attempts: int = 5, window: float = 60.0, max_clients: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.attempts = attempts
        self.window = window
        self.clock = clock
        self._max_clients = max_clients
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()  # the login form is answered in a thread pool

    def retry_after(self, client: str) -> int:
        """Seconds ``client`` must wait before trying again; 0 if it may try now."""
        with self._lock:
            failures = self._recent(client)
            if len(failures) < self.attempts:
                return 0
            return max(1, math.ceil(failures[0] + self.window - self.clock()))

    def failed(self, client: str) -> None:
        with self._lock:
            self._failures[client] = self._recent(client)
            self._failures[client].append(self.clock())
            self._failures.move_to_end(client)
            while len(self._failures) > self._max_clients:
                self._failures.popitem(last=False)

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)

    def _recent(self, client: str) -> deque[float]:
        failures = self._failures.get(client, deque())
        while failures and failures[0] <= self.clock() - self.window:
            failures.popleft()
        return failures
