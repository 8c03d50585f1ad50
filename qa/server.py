"""One server for the web chat (/) and the REST API (/api), optionally behind an access token.

Access control, when a token is set: API clients (and gradio_client) send ``Authorization: Bearer
TOKEN``; a browser is shown a login form once, which sets an HttpOnly, SameSite=Strict session cookie
holding a keyed hash of the token (never the token itself). /api/health stays open for monitors."""

from __future__ import annotations

import hashlib
import hmac
import html
import logging
import sys
from pathlib import Path
from typing import Sequence

import gradio as gr
from fastapi import FastAPI, Form
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from qa.api import DEFAULT_MAX_UPLOAD_BYTES, IndexService, create_api
from qa.index import Index
from qa.ui import CSS, DEFAULT_EXAMPLES, build_ui

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860
# Questions answered at once by the chat. A search holds the CPU for a few milliseconds, so more
# than a handful in flight only lengthens each one; the REST API has its own (larger) thread pool.
DEFAULT_CONCURRENCY = 8
SESSION_COOKIE = "qa_session"
LOGIN_PATH = "/login"
OPEN_PATHS = frozenset({"/api/health", LOGIN_PATH})


def create_app(
    index: Index,
    *,
    auth_token: str | None = None,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
    concurrency: int = DEFAULT_CONCURRENCY,
    examples: Sequence[str] = DEFAULT_EXAMPLES,
) -> FastAPI:
    """The whole server as one ASGI app: the chat at /, the REST API (and its docs) under /api."""
    service = IndexService(index)
    app = FastAPI(title="article-qa", docs_url=None, redoc_url=None, openapi_url=None)
    if auth_token:
        _add_login(app, auth_token)
    app.mount("/api", create_api(service, max_upload_bytes=max_upload_bytes))
    page = build_ui(service, examples=examples, concurrency=concurrency)
    gr.mount_gradio_app(
        app, page, path="/", theme=_theme(), css=CSS, footer_links=["api"], run_history=False,
        show_error=False,  # an unexpected error shows as "Error"; its details stay in the server log
        max_file_size=max_upload_bytes, mcp_server=False,
    )
    return app


def serve(
    index_path: str | Path,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    auth_token: str | None = None,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> None:
    """Open the index, load the model before the first visitor arrives, and serve until interrupted."""
    import uvicorn

    # Only our own loggers at INFO: sentence-transformers draws a progress bar per query at that level.
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("qa").setLevel(logging.INFO)
    with Index.open(index_path) as index:
        index.search("warm up the embedding model", 1)
        _one_torch_thread_per_request()
        app = create_app(
            index, auth_token=auth_token, max_upload_bytes=max_upload_bytes, concurrency=concurrency
        )
        log.info("serving %s at http://%s:%d/ (API docs at /api/docs)", index_path, host, port)
        # No access log: a line per request costs more than the search it records.
        uvicorn.run(app, host=host, port=port, access_log=False, log_level="info")


def _one_torch_thread_per_request() -> None:
    """Concurrent requests already use every core; torch splitting each short query over all of them
    as well only makes the threads contend (measured: ~10x slower queries on a busy 2-core machine).
    Only the torch embedding backend imports torch; other backends schedule their own threads."""
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(1)


def _theme() -> gr.themes.Base:
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
