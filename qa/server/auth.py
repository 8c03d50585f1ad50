"""Access control, when a token is set: API clients (and gradio_client) send ``Authorization: Bearer
TOKEN``; a browser is shown a login form once, which sets an HttpOnly, SameSite=Strict session cookie
holding a keyed hash of the token (never the token itself)."""

from __future__ import annotations

import hashlib
import hmac
import html
from typing import TYPE_CHECKING, Iterable

from fastapi import Form
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.requests import HTTPConnection

if TYPE_CHECKING:
    from fastapi import FastAPI
    from starlette.types import ASGIApp, Receive, Scope, Send

SESSION_COOKIE = "qa_session"
LOGIN_PATH = "/login"


def add_login(app: FastAPI, token: str, *, open_paths: Iterable[str] = ()) -> None:
    """Guard ``app`` with ``token``, and serve the login form at /login. ``open_paths`` (and the form)
    stay open to anyone."""
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
        if scope["type"] not in ("http", "websocket") or scope["path"] in self._open_paths or self._allows(scope):
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
