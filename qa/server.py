"""One server for the web chat (/) and the REST API (/api), optionally behind an access token.

Start-up is progressive: `qa serve` opens the index, loads the embedding model and starts answering
/api/* at once, while the chat page (Gradio, whose import is most of a cold start) is built in a
background thread; until it is mounted, / shows a small page that reloads itself when the chat is
ready, and /api/health says ``"ui": "starting"``. Nothing here imports Gradio at module level.

Access control, when a token is set: API clients (and gradio_client) send ``Authorization: Bearer
TOKEN``; a browser is shown a login form once, which sets an HttpOnly, SameSite=Strict session cookie
holding a keyed hash of the token (never the token itself). /api/health stays open for monitors."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import html
import logging
import os
import sys
import threading
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Sequence

from fastapi import FastAPI, Form
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from qa.api import DEFAULT_MAX_UPLOAD_BYTES, IndexService, create_api
from qa.index import Index

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860
# Questions answered at once by the chat. A search holds the CPU for a few milliseconds, so more
# than a handful in flight only lengthens each one; the REST API has its own (larger) thread pool.
DEFAULT_CONCURRENCY = 8
SESSION_COOKIE = "qa_session"
LOGIN_PATH = "/login"
OPEN_PATHS = frozenset({"/api/health", LOGIN_PATH})
HEALTH_PATH = "/api/health"


def create_app(
    index: Index,
    *,
    auth_token: str | None = None,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
    concurrency: int = DEFAULT_CONCURRENCY,
    examples: Sequence[str] | None = None,
    chat_in_background: bool = False,
) -> FastAPI:
    """The whole server as one ASGI app: the chat at /, the REST API (and its docs) under /api.

    With ``chat_in_background`` the chat page is built in a thread started here, and mounted (its
    Gradio queue started) once the server runs and the page is built; /api/* answers meanwhile.
    Otherwise it is built before this returns."""
    service = IndexService(index)
    chat = ChatPage(service, examples=examples, concurrency=concurrency, max_upload_bytes=max_upload_bytes)
    app = FastAPI(title="article-qa", docs_url=None, redoc_url=None, openapi_url=None, lifespan=chat.lifespan)
    app.state.chat = chat
    if auth_token:
        _add_login(app, auth_token)

    # Declared before the /api mount, so it answers /api/health in place of the API's own.
    @app.get(HEALTH_PATH, include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok", "ui": chat.state}

    app.mount("/api", create_api(service, max_upload_bytes=max_upload_bytes))
    app.mount("/", chat)
    if chat_in_background:
        chat.build_in_background()
    else:
        chat.build()
    return app


class ChatPage:
    """The Gradio chat, as an ASGI app mounted at /.

    ``state`` is "starting" until the page is built and its queue runs, then "ready" ("failed" if it
    could not be built: the error is logged and the REST API serves on). While starting, a browser
    asking for a page gets one that reloads itself when the chat is ready, and anything else a 503."""

    def __init__(
        self, service: IndexService, *, examples: Sequence[str] | None, concurrency: int, max_upload_bytes: int
    ) -> None:
        self._service = service
        self._examples = examples
        self._concurrency = concurrency
        self._max_upload_bytes = max_upload_bytes
        self._app: FastAPI | None = None  # the Gradio page mounted at / of an app of its own
        self._live = False  # whether requests go to the page
        self._in_background = False
        self._failed = False
        self._built = threading.Event()
        self._waiters: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    @property
    def state(self) -> str:
        return "failed" if self._failed else "ready" if self._live else "starting"

    def build(self) -> None:
        """Import Gradio, build the page and mount it: the slow part of starting a server."""
        try:
            self._app = _mounted_page(
                self._service, examples=self._examples, concurrency=self._concurrency,
                max_upload_bytes=self._max_upload_bytes,
            )
            log.info("chat page built %.1f s after start", seconds_since_start())
        except Exception:
            self._failed = True
            if not self._in_background:
                raise
            log.exception("the chat page could not be built; the REST API serves on")
        finally:
            with self._lock:
                self._built.set()
                waiters, self._waiters = self._waiters, []
            for wake in waiters:
                wake()
        if not self._in_background:
            self._live = True  # Gradio starts its queue in the server's lifespan, or else on first use

    def build_in_background(self) -> None:
        self._in_background = True
        threading.Thread(target=self.build, name="qa-chat-page", daemon=True).start()

    @asynccontextmanager
    async def lifespan(self, app: FastAPI) -> AsyncIterator[None]:
        """The server's lifespan: Gradio's own (its queue) around it, as soon as the page is built."""
        if not self._in_background:
            assert self._app is not None
            async with self._app.router.lifespan_context(self._app):
                yield
            return
        stop = asyncio.Event()
        running = asyncio.create_task(self._run_when_built(stop))
        try:
            yield
        finally:
            stop.set()
            if not self._live:
                running.cancel()
            try:
                await running
            except asyncio.CancelledError:
                pass

    async def _run_when_built(self, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        built = loop.create_future()

        def wake() -> None:
            try:
                loop.call_soon_threadsafe(lambda: built.done() or built.set_result(None))
            except RuntimeError:  # the server stopped before the page was built
                pass

        with self._lock:
            if self._built.is_set():
                built.set_result(None)
            else:
                self._waiters.append(wake)
        try:
            await built
        finally:
            with self._lock:
                if wake in self._waiters:
                    self._waiters.remove(wake)
        if self._app is None:
            return
        async with self._app.router.lifespan_context(self._app):
            self._live = True
            log.info("chat ready at / %.1f s after start", seconds_since_start())
            await stop.wait()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._live:
            assert self._app is not None
            await self._app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1013})  # try again later
        elif scope["type"] == "http":
            await self._not_yet(HTTPConnection(scope))(scope, receive, send)

    def _not_yet(self, connection: HTTPConnection) -> Response:
        failed = self._failed
        wants_page = connection.scope.get("method") in ("GET", "HEAD") and (
            connection.url.path == "/" or "text/html" in connection.headers.get("accept", "")
        )
        if wants_page:
            return _starting_page(failed)
        message = "the chat page failed to start (see the server log)" if failed else "the chat page is starting"
        return JSONResponse(
            {"error": f"{message}; the REST API under /api/ answers"},
            status_code=500 if failed else 503, headers={} if failed else {"Retry-After": "1"},
        )


def _mounted_page(
    service: IndexService, *, examples: Sequence[str] | None, concurrency: int, max_upload_bytes: int
) -> FastAPI:
    from qa import ui  # before Gradio: qa.ui imports it without Gradio's rewriting of its type stubs

    gr = ui.gr
    page = ui.build_ui(service, examples=ui.DEFAULT_EXAMPLES if examples is None else examples, concurrency=concurrency)
    holder = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    gr.mount_gradio_app(
        holder, page, path="/", theme=_theme(gr), css=ui.CSS, footer_links=["api"], run_history=False,
        show_error=False,  # an unexpected error shows as "Error"; its details stay in the server log
        max_file_size=max_upload_bytes, mcp_server=False,
    )
    return holder


def _starting_page(failed: bool) -> HTMLResponse:
    """What / shows before the chat is ready: it asks /api/health until the chat is, then reloads."""
    if failed:
        return HTMLResponse(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Article QA</title></head>"
            "<body><p>The chat page failed to start; the server log says why. "
            "The <a href=\"/api/docs\">REST API</a> works.</p></body></html>",
            status_code=500,
        )
    return HTMLResponse(
        """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Article QA · starting</title>
<meta http-equiv="refresh" content="3"><meta name="viewport" content="width=device-width, initial-scale=1">
<style>body { font-family: system-ui, sans-serif; color: #334155; display: grid; place-items: center;
min-height: 90vh; } p { font-size: 1.1rem; }</style></head>
<body><div><p id="qa-starting">Article QA is starting… the chat appears here in a moment.</p>
<p>The <a href="/api/docs">REST API</a> already answers.</p></div>
<script>
(function poll() {
  fetch("/api/health", {cache: "no-store"}).then(function (reply) { return reply.json(); })
    .then(function (health) { if (health.ui === "starting") { setTimeout(poll, 250); } else { location.reload(); } })
    .catch(function () { setTimeout(poll, 1000); });
})();
</script></body></html>""",
        status_code=503, headers={"Retry-After": "1", "Cache-Control": "no-store"},
    )


def serve(
    index_path: str | Path,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    auth_token: str | None = None,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> None:
    """Open the index and load the embedding model, then serve the API at once while the chat page is
    built in a background thread, and the chat as soon as it is built.

    The page is started after the model, not beside it: importing Gradio is pure Python and holds the
    GIL, so overlapping the two delays the first API answer by about a second and brings the chat
    forward by less (measured with bench/serve_startup.py)."""
    import uvicorn

    # Only our own loggers at INFO: sentence-transformers draws a progress bar per query at that level.
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("qa").setLevel(logging.INFO)
    with Index.open(index_path) as index:
        index.search("warm up the embedding model", 1)
        _one_torch_thread_per_request()
        app = create_app(
            index, auth_token=auth_token, max_upload_bytes=max_upload_bytes, concurrency=concurrency,
            chat_in_background=True,
        )
        log.info(
            "serving %s at http://%s:%d/ (API docs at /api/docs): index and model ready %.1f s after start; "
            "the chat follows when its page is built", index_path, host, port, seconds_since_start(),
        )
        # No access log: a line per request costs more than the search it records. uvicorn runs on
        # httptools and uvloop, which it picks when they are installed (they are dependencies).
        uvicorn.run(app, host=host, port=port, access_log=False, log_level="info")


def seconds_since_start() -> float:
    """Seconds since this process started (interpreter start-up included, where /proc tells)."""
    try:
        started_ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return uptime - started_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.monotonic() - _IMPORTED


_IMPORTED = time.monotonic()


def _one_torch_thread_per_request() -> None:
    """Concurrent requests already use every core; torch splitting each short query over all of them
    as well only makes the threads contend (measured: ~10x slower queries on a busy 2-core machine).
    Only the torch embedding backend imports torch; other backends schedule their own threads."""
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(1)


def _theme(gr: Any) -> Any:
    return gr.themes.Soft(
        primary_hue="indigo", neutral_hue="slate", radius_size="md",
        font=[gr.themes.LocalFont("IBM Plex Sans", weights=(400, 600, 700)), "ui-sans-serif", "sans-serif"],
    ).set(block_label_background_fill="transparent", block_title_background_fill="transparent")


# -- access token ------------------------------------------------------------------------------


def _add_login(app: FastAPI, token: str) -> None:
    session = _session_value(token)

    @app.get(LOGIN_PATH, include_in_schema=False)
    def login_form() -> Response:
        return _login_page(status_code=200)

    @app.post(LOGIN_PATH, include_in_schema=False)
    def login(token_entered: str = Form("", alias="token")) -> Response:
        if not hmac.compare_digest(_session_value(token_entered), session):
            return _login_page("That token is not right.")
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(SESSION_COOKIE, session, httponly=True, samesite="strict")
        return response

    app.add_middleware(TokenGate, token=token)


def _session_value(token: str) -> str:
    return hmac.new(token.encode(), b"article-qa session", hashlib.sha256).hexdigest()


class TokenGate:
    """Lets a request through only with the bearer token or the session cookie; otherwise a browser
    gets the login form and anything else a 401 JSON error."""

    def __init__(self, app: ASGIApp, *, token: str) -> None:
        self.app = app
        self._token = token
        self._session = _session_value(token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"] in OPEN_PATHS or self._allows(scope):
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
        else:
            await self._refusal(HTTPConnection(scope))(scope, receive, send)

    def _allows(self, scope: Scope) -> bool:
        connection = HTTPConnection(scope)
        scheme, _, credentials = connection.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(credentials.strip().encode(), self._token.encode()):
            return True
        return hmac.compare_digest(connection.cookies.get(SESSION_COOKIE, "").encode(), self._session.encode())

    def _refusal(self, connection: HTTPConnection) -> Response:
        if connection.scope.get("method") == "GET" and "text/html" in connection.headers.get("accept", ""):
            return _login_page()
        return JSONResponse(
            {"error": "missing or wrong access token"}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
        )


def _login_page(problem: str = "", status_code: int = 401) -> HTMLResponse:
    notice = f'<p class="problem">{html.escape(problem)}</p>' if problem else ""
    return HTMLResponse(
        f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Article QA · sign in</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font-family: system-ui, sans-serif; background: #f8fafc; display: grid; place-items: center;
        min-height: 90vh; }}
form {{ background: white; padding: 28px 32px; border-radius: 12px; box-shadow: 0 2px 12px #0001; width: 320px; }}
h1 {{ font-size: 1.3rem; margin: 0 0 14px; }} .problem {{ color: #b91c1c; }}
input, button {{ width: 100%; box-sizing: border-box; padding: 9px; font-size: 1rem; margin-top: 8px;
                border-radius: 8px; border: 1px solid #cbd5e1; }}
button {{ background: #4f46e5; color: white; border: none; cursor: pointer; }}
</style></head><body><form method="post" action="{LOGIN_PATH}"><h1>Article QA</h1>{notice}
<label for="token">Access token</label><input id="token" name="token" type="password" autofocus required>
<button type="submit">Sign in</button></form></body></html>""",
        status_code=status_code,
    )
