"""Access control, when a token is set: API clients (and gradio_client) send ``Authorization: Bearer
TOKEN``; a browser is shown a login form once, which sets an HttpOnly, SameSite=Strict session cookie
holding a keyed hash of the token (never the token itself).

A request that changes state on the strength of that cookie alone must come from a page of this server
(qa.server.security.same_origin): SameSite=Strict already keeps the cookie off other sites' requests, and
this holds even where it does not (another port or scheme of the same host is the same site). Wrong
tokens at /login are limited per client address (qa.server.security.LoginLimiter, kept on app.state)."""

from __future__ import annotations

import hashlib
import hmac
import html
from typing import TYPE_CHECKING, Iterable

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.requests import HTTPConnection

from qa.server.security import LoginLimiter, same_origin

if TYPE_CHECKING:
    from fastapi import FastAPI
    from starlette.types import ASGIApp, Receive, Scope, Send

SESSION_COOKIE = "qa_session"
LOGIN_PATH = "/login"
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def add_login(app: FastAPI, token: str, *, open_paths: Iterable[str] = ()) -> None:
    """Guard ``app`` with ``token``, and serve the login form at /login. ``open_paths`` (and the form)
    stay open to anyone."""
    session = _session_value(token)
    limiter = app.state.login_limiter = LoginLimiter()

    @app.get(LOGIN_PATH, include_in_schema=False)
    def login_form() -> Response:
        return _login_page(status_code=200)

    @app.post(LOGIN_PATH, include_in_schema=False)
    def login(request: Request, token_entered: str = Form("", alias="token")) -> Response:
        client = request.client.host if request.client else ""
        wait = limiter.retry_after(client)
        if wait:  # checked before the token, so that guessing on learns nothing, right or wrong
            return JSONResponse(
                {"error": f"too many wrong tokens; try again in {wait} s"}, status_code=429,
                headers={"Retry-After": str(wait)},
            )
        if not hmac.compare_digest(_session_value(token_entered), session):
            limiter.failed(client)
            return _login_page("That token is not right.")
        limiter.succeeded(client)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(SESSION_COOKIE, session, httponly=True, samesite="strict")
        return response

    app.add_middleware(TokenGate, token=token, open_paths=frozenset({LOGIN_PATH, *open_paths}))


def _session_value(token: str) -> str:
    return hmac.new(token.encode(), b"article-qa session", hashlib.sha256).hexdigest()


class TokenGate:
    """Lets a request through only with the bearer token or the session cookie; otherwise a browser
    gets the login form and anything else a 401 JSON error."""

    def __init__(self, app: ASGIApp, *, token: str, open_paths: frozenset[str]) -> None:
        self.app = app
        self._token = token
        self._session = _session_value(token)
        self._open_paths = open_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"] in self._open_paths:
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        credential = self._credential(connection)
        # A browser opens a WebSocket without the SameSite check a fetch gets, so it counts as a change.
        changes_state = scope["type"] == "websocket" or scope.get("method") in STATE_CHANGING
        if credential == "cookie" and changes_state and not same_origin(connection):
            credential = "cross-origin"
        if credential in ("bearer", "cookie"):
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
        elif credential == "cross-origin":
            refusal = {"error": "refused: a signed-in browser may change things only from this server's own pages"}
            await JSONResponse(refusal, status_code=403)(scope, receive, send)
        else:
            await self._refusal(connection)(scope, receive, send)

    def _credential(self, connection: HTTPConnection) -> str | None:
        """Which credential the request carries rightly: "bearer", "cookie" or none."""
        scheme, _, credentials = connection.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(credentials.strip().encode(), self._token.encode()):
            return "bearer"
        if hmac.compare_digest(connection.cookies.get(SESSION_COOKIE, "").encode(), self._session.encode()):
            return "cookie"
        return None

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
