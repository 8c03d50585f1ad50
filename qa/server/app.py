"""One server for the web chat (/) and the REST API (/api), optionally behind an access token.

Start-up is progressive: `qa serve` opens the index, loads the embedding model and starts answering
/api/* at once, while the chat page (Gradio, whose import is most of a cold start) is built in a
background thread; until it is mounted, / shows a small page that reloads itself when the chat is
ready, and /api/health says ``"ui": "starting"``. Nothing here imports Gradio at module level.

With a token (qa.server.auth), /api/health stays open for monitors. Every response carries the security
headers of qa.server.security."""

from __future__ import annotations

import asyncio
import importlib.machinery
import logging
import os
import sys
import threading
import time
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, AsyncIterator, Callable, Iterator, Sequence

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection

from qa.config import FetchConfig
from qa.index import Index
from qa.server.api import DEFAULT_MAX_UPLOAD_BYTES, create_api, http_error
from qa.server.auth import add_login
from qa.server.security import SecurityHeaders
from qa.server.service import IndexService

if TYPE_CHECKING:
    from types import ModuleType

    from starlette.types import Receive, Scope, Send

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860
# Questions answered at once by the chat. A search holds the CPU for a few milliseconds, so more
# than a handful in flight only lengthens each one; the REST API has its own (larger) thread pool.
DEFAULT_CONCURRENCY = 8
HEALTH_PATH = "/api/health"


def create_app(
    index: Index,
    *,
    auth_token: str | None = None,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
    concurrency: int = DEFAULT_CONCURRENCY,
    examples: Sequence[str] | None = None,
    chat_in_background: bool = False,
    allow_private_urls: bool = False,
) -> FastAPI:
    """The whole server as one ASGI app: the chat at /, the REST API (and its docs) under /api.

    With ``chat_in_background`` the chat page is built in a thread started here, and mounted (its
    Gradio queue started) once the server runs and the page is built; /api/* answers meanwhile.
    Otherwise it is built before this returns. Either way the quotes of an index stored without them
    are extracted, and its articles grouped into stories, after the page is built. Articles are fetched
    from public web addresses only, unless ``allow_private_urls``."""
    service = IndexService(index, fetch=FetchConfig(allow_private=allow_private_urls))
    chat = ChatPage(
        service, examples=examples, concurrency=concurrency, max_upload_bytes=max_upload_bytes,
        in_background=chat_in_background,
    )
    app = FastAPI(title="article-qa", docs_url=None, redoc_url=None, openapi_url=None, lifespan=chat.lifespan)
    app.state.chat = chat
    # A path no mount takes (an article id with a line break: /api/… is matched without one) is refused in
    # the API's own error form, not FastAPI's {"detail": …}.
    app.add_exception_handler(HTTPException, http_error)
    if auth_token:
        add_login(app, auth_token, open_paths={HEALTH_PATH})
    app.add_middleware(SecurityHeaders)  # added last, so it is outside the token gate and sees its refusals too

    # Declared before the /api mount, so it answers /api/health in place of the API's own.
    @app.get(HEALTH_PATH, include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok", "ui": chat.state}

    app.mount("/api", create_api(service, max_upload_bytes=max_upload_bytes))
    app.mount("/", chat)
    if chat_in_background:
        threading.Thread(target=_finish_starting, args=(chat, service), name="qa-start-up", daemon=True).start()
    else:
        chat.build()
        service.backfill_quotes()
        service.backfill_stories()
    return app


def _finish_starting(chat: ChatPage, service: IndexService) -> None:
    """What a server does in the background once the API answers: build the chat page, then extract the
    quotes of an index stored without them (a write, so not left to the first read of quotes). In this
    order and in one thread: both are pure Python and would only take the GIL from each other, and the
    page is what a user waits for."""
    chat.build()
    try:
        service.backfill_quotes()
    except Exception:
        log.exception("the quotes of the stored articles could not be extracted; the server serves on")
    try:
        service.backfill_stories()
    except Exception:
        log.exception("the stored articles could not be grouped into stories; the server serves on")


class ChatPage:
    """The Gradio chat, as an ASGI app mounted at /.

    ``state`` is "starting" until the page is built and its queue runs, then "ready" ("failed" if it
    could not be built: the error is logged and the REST API serves on). While starting, a browser
    asking for a page gets one that reloads itself when the chat is ready, and anything else a 503."""

    def __init__(
        self, service: IndexService, *, examples: Sequence[str] | None, concurrency: int, max_upload_bytes: int,
        in_background: bool,
    ) -> None:
        self._service = service
        self._examples = examples
        self._concurrency = concurrency
        self._max_upload_bytes = max_upload_bytes
        self._in_background = in_background
        self._app: FastAPI | None = None  # the Gradio page mounted at / of an app of its own
        self._live = False  # whether requests go to the page
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
    """The chat page on an app of its own, Gradio first imported here without its stub rewriting."""
    with _no_stub_rewriting():
        import gradio  # noqa: F401
    from qa.server import chat

    return chat.mounted_page(service, examples=examples, concurrency=concurrency, max_upload_bytes=max_upload_bytes)


@contextmanager
def _no_stub_rewriting() -> Iterator[None]:
    """Gradio imported inside this block skips rewriting its type stubs (see _NoStubRewriting).

    The finder is on sys.meta_path for this block only, not from the import of some qa module on: every
    import in the process asks it while it is there, and a module that merely imports the chat (a test,
    a tool) should not change how the rest of the process imports."""
    if "gradio" in sys.modules:
        yield
        return
    finder = _NoStubRewriting()
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        if finder in sys.meta_path:  # it takes itself off once it has seen gradio.component_meta
            sys.meta_path.remove(finder)


class _NoStubRewriting:
    """Gradio rewrites its own .pyi type stubs while it is imported: for each of ~80 component classes
    ``gradio.component_meta.create_or_modify_pyi`` re-reads and parses the class's source file, renders a
    Jinja template and compares (and may write) a file in site-packages. That is nearly half of importing
    Gradio in a server (measured: 3.0 → 1.65 CPU s, Gradio 6.31, Python 3.11) and nothing at run time
    reads the stubs, so the import the chat page makes runs component_meta without it."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if name != "gradio.component_meta":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        loader = getattr(spec, "loader", None)
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        run_module = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run_module(module)
            if callable(getattr(module, "create_or_modify_pyi", None)):
                module.create_or_modify_pyi = _skip_stub_rewriting

        loader.exec_module = exec_module
        return spec


def _skip_stub_rewriting(*args: object, **kwargs: object) -> None:
    return None


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
    allow_private_urls: bool = False,
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
            chat_in_background=True, allow_private_urls=allow_private_urls,
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
