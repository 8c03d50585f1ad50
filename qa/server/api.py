"""The REST API served under /api: JSON in and out, and every error is ``{"error": "..."}`` with a
fitting status code."""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, UploadFile
from starlette.exceptions import HTTPException

from qa.errors import IndexBusyError, QAError
from qa.ingest import SUFFIXES
from qa.ingest.common import type_name
from qa.ingest.uploads import Upload, display_name
from qa.types import Filters

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from qa.server.service import IndexService
    from qa.types import IngestReport

log = logging.getLogger(__name__)

MAX_K = 100
DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class AskBody(BaseModel):
    question: str = Field(description="what to ask")
    history: list[tuple[str, str]] = Field(
        default_factory=list, description="earlier turns of the conversation, as [question, answer] pairs"
    )
    k: int = Field(5, ge=1, le=MAX_K, description="how many passages to retrieve")
    source: str | None = Field(None, description="only this outlet")
    since: str | None = Field(None, description="only articles published on or after this date (YYYY-MM-DD)")
    until: str | None = Field(None, description="only articles published on or before this date (YYYY-MM-DD)")
    mode: str | None = Field(None, description="retrieval: hybrid (default), dense or bm25")
    as_of: str | None = Field(None, description="answer as on this date (YYYY-MM-DD): nothing later, recent first")


class ErrorBody(BaseModel):
    """Every refusal and failure: one line saying why (an ingest's 422 adds its report's fields)."""

    error: str = Field(description="what went wrong, in one line")


def _errors(described: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorBody, "description": text} for code, text in described.items()}


# Declared on every route: any 4xx (a 401 from the token check too) and the bare 500. Declaring the 4XX range
# also keeps FastAPI from documenting its 422 validation body, which this API answers as a 400 instead.
_ANY_ERROR: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ErrorBody, "description": "refused; the reason in one line"},
    500: {"model": ErrorBody, "description": "an unexpected failure (its details go to the server log only)"},
}
_INVALID = "a missing or invalid parameter or body"
_COMPRESSED = "a compressed body (Content-Encoding): never decompressed"
_BUSY = "another process is writing the index"
# POST /articles reads its raw body itself (to hold the size cap while it streams), so FastAPI cannot infer
# the body from a parameter: declared here for the docs and for clients generated from the schema.
_ARTICLE_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": {"type": "array", "minItems": 1, "items": {"anyOf": [
            {"type": "object", "required": ["text"], "properties": {
                name: {"type": "string"} for name in ("id", "title", "text", "url", "source", "published")
            }},
            {"type": "string", "description": "an http(s) address: an article page, a PDF, an RSS/Atom feed or "
             "a sitemap"},
        ]}}},
        "multipart/form-data": {"schema": {"type": "object", "required": ["files"], "properties": {
            "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
        }}},
    },
}

DOCS_ASSETS = "/docs-assets"


def _add_offline_docs(api: FastAPI) -> None:
    """The OpenAPI page at /docs, working without internet: Swagger UI's script and style (a version that
    reads OpenAPI 3.1, which FastAPI writes) come from the fastapi-offline package, served under /docs-assets."""
    import fastapi_offline
    from fastapi.openapi.docs import get_swagger_ui_html
    from starlette.responses import HTMLResponse
    from starlette.staticfiles import StaticFiles

    assets = Path(fastapi_offline.__file__).parent / "static"
    api.mount(DOCS_ASSETS, StaticFiles(directory=str(assets)), name="docs-assets")

    @api.get("/docs", include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        return get_swagger_ui_html(
            openapi_url=f"{root}{api.openapi_url}", title=f"{api.title} · docs",
            swagger_js_url=f"{root}{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{root}{DOCS_ASSETS}/favicon.png",
        )


def create_api(service: IndexService, *, max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES) -> FastAPI:
    """The REST API as its own FastAPI app, meant to be mounted at /api (its docs are then /api/docs)."""
    api = FastAPI(
        title="article-qa API",
        summary="Search, ask and manage the articles of one index.",
        version="1",
        docs_url=None,  # served below, with Swagger UI's files from this server: the default page loads them from a CDN
        redoc_url=None,
        responses=_ANY_ERROR,
    )
    _add_offline_docs(api)
    api.add_middleware(_GenericServerError)
    api.add_middleware(_NoCompressedBodies)
    api.add_exception_handler(QAError, _bad_request)
    api.add_exception_handler(IndexBusyError, _busy)
    api.add_exception_handler(RequestValidationError, _invalid_request)
    api.add_exception_handler(HTTPException, http_error)

    @api.get("/health")
    def health() -> dict[str, str]:
        """Whether the server is up."""
        return {"status": "ok"}

    @api.get("/search", responses=_errors({400: _INVALID}))
    def search(
        q: Annotated[str, Query(description="the query")],
        k: Annotated[int, Query(ge=1, le=MAX_K, description="how many passages")] = 5,
        source: Annotated[str | None, Query(description="only this outlet")] = None,
        since: Annotated[str | None, Query(description="published on or after (YYYY-MM-DD)")] = None,
        until: Annotated[str | None, Query(description="published on or before (YYYY-MM-DD)")] = None,
        mode: Annotated[str | None, Query(description="hybrid (default), dense or bm25")] = None,
        as_of: Annotated[
            str | None, Query(description="search as on this date (YYYY-MM-DD): nothing later, recent first")
        ] = None,
        all_copies: Annotated[
            bool, Query(description="each near-copy of a story on its own (else once, the others in also_in)")
        ] = False,
    ) -> dict[str, Any]:
        """The passages most relevant to a query, best first; near-copies of one story (the same wire
        text in several outlets, updated versions) once, by the best-ranked copy, the others in its
        ``also_in``."""
        filters = Filters(source=source, since=since, until=until, as_of=as_of)
        hits = service.search(q, k, filters=filters, mode=mode, all_copies=all_copies)
        return {"query": q, "hits": [hit.to_dict() for hit in hits]}

    @api.get("/quotes", responses=_errors({400: "no speaker, or a bad date"}))
    def quotes(
        speaker: Annotated[str, Query(description="a name or role: Blinken, the secretary of state")] = "",
        about: Annotated[str, Query(description="only quotations about this topic")] = "",
        since: Annotated[str | None, Query(description="published on or after (YYYY-MM-DD)")] = None,
        until: Annotated[str | None, Query(description="published on or before (YYYY-MM-DD)")] = None,
    ) -> dict[str, Any]:
        """A speaker's timeline: their quotations (about a topic), oldest first, each an exact span of its
        article; the same words carried by several articles appear once, the others in also_reported_by."""
        return service.timeline(speaker, about=about, filters=Filters(since=since, until=until)).to_dict()

    @api.post("/ask", responses=_errors({400: _INVALID, 415: _COMPRESSED}))
    def ask_question(body: AskBody) -> dict[str, Any]:
        """A short answer whose [n] markers refer to its citations, with the passages it drew on."""
        filters = Filters(source=body.source, since=body.since, until=body.until, as_of=body.as_of)
        answer = service.ask(body.question, history=body.history, k=body.k, filters=filters, mode=body.mode)
        return answer.to_dict()

    @api.post("/articles", openapi_extra={"requestBody": _ARTICLE_BODY}, responses=_errors({
        400: "not a JSON list of article objects and addresses, or no file in the upload", 409: _BUSY,
        413: "larger than the server's upload limit", 415: _COMPRESSED, 422: "no article could be read",
    }))
    async def add_articles(request: Request) -> JSONResponse:
        """Add articles: a JSON list of article objects and web addresses (an article page, a PDF, an RSS/Atom
        feed or a sitemap; public addresses only unless the server allows private ones), or a multipart
        upload of JSONL, txt, md, html or pdf files. Reports how many were added, replaced, skipped and
        failed, with each failure's reason."""
        body = await _read_limited(request, max_upload_bytes)
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            report = await _ingest_multipart(service, _replayed(request, body))
        else:
            report = await run_in_threadpool(_ingest_json, service, body)
        return _ingest_response(report)

    @api.get("/articles/{article_id:path}", responses=_errors({404: "no such article"}))
    def get_article(article_id: str) -> dict[str, Any]:
        """One article with its full text."""
        article = service.article(article_id)
        if article is None:
            raise HTTPException(404, f"no article with id {article_id!r}")
        return article.to_dict()

    @api.delete("/articles/{article_id:path}", responses=_errors({
        404: "no such article", 409: _BUSY,
    }))
    def delete_article(article_id: str) -> dict[str, str]:
        """Remove an article and its passages from the index."""
        if not service.delete(article_id):
            raise HTTPException(404, f"no article with id {article_id!r}")
        return {"deleted": article_id}

    @api.get("/stats")
    def stats() -> dict[str, Any]:
        """What the index holds and how it was built."""
        return service.stats()

    return api


async def _read_limited(request: Request, limit: int) -> bytes:
    too_large = HTTPException(413, f"upload too large: the limit is {_megabytes(limit)}")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    body = bytearray()
    async for part in request.stream():
        body += part
        if len(body) > limit:
            raise too_large
    return bytes(body)


def _replayed(request: Request, body: bytes) -> Request:
    """A copy of ``request`` whose body is ``body``, already read (so the size limit held)."""

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    return Request(request.scope, receive)


def _ingest_json(service: IndexService, body: bytes) -> IngestReport:
    try:
        records = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise QAError(f"body is not valid JSON ({error})") from None
    if not isinstance(records, list):
        raise QAError(f"expected a JSON list of articles, got {type_name(records)}")
    if not records:
        raise QAError("no articles given")
    return service.add_records(records)


async def _ingest_multipart(service: IndexService, request: Request) -> IngestReport:
    async with request.form(max_files=100) as form:
        files = [value for _, value in form.multi_items() if isinstance(value, UploadFile)]
        if not files:
            raise QAError("no file in the upload (send files as multipart/form-data)")
        with tempfile.TemporaryDirectory(prefix="qa-upload-") as folder:
            uploads = [await _saved(file, Path(folder), number) for number, file in enumerate(files)]
            return await run_in_threadpool(service.add_files, uploads)


async def _saved(file: UploadFile, folder: Path, number: int) -> Upload:
    """Write an uploaded file under a name of our making: the client's name picks only the suffix."""
    name = display_name(file.filename)
    suffix = PurePath(name).suffix.lower()
    path = folder / f"upload-{number}{suffix if suffix in SUFFIXES else ''}"
    path.write_bytes(await file.read())
    return Upload(name, path)


def _ingest_response(report: IngestReport) -> JSONResponse:
    summary = report.to_dict()
    if report.failed and not (report.added or report.replaced or report.skipped):
        first = report.failed[0]
        return JSONResponse({"error": f"nothing could be read: {first}", **summary}, status_code=422)
    return JSONResponse(summary)


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:g} MB"


# -- errors as JSON ----------------------------------------------------------------------------


async def _bad_request(request: Request, error: Exception) -> JSONResponse:
    return JSONResponse({"error": str(error)}, status_code=400)


async def _busy(request: Request, error: Exception) -> JSONResponse:
    # 409, not 503: the server is up and reads are served; this write collides with another process's.
    return JSONResponse({"error": str(error)}, status_code=409)


async def _invalid_request(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    first = error.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ()) if part not in ("query", "body", "path"))
    message = first.get("msg", "invalid request")
    return JSONResponse({"error": f"{where}: {message}" if where else message}, status_code=400)


async def http_error(request: Request, error: Exception) -> JSONResponse:
    """A refusal as every API error reads: {"error": one line}."""
    assert isinstance(error, HTTPException)
    return JSONResponse({"error": str(error.detail)}, status_code=error.status_code, headers=error.headers)


class _NoCompressedBodies:
    """Refuses a body sent with a Content-Encoding: nothing here decompresses one, so a small gzip can never
    expand in memory, and the client hears why rather than a parse error about bytes it didn't write."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        encoding = Headers(scope=scope).get("content-encoding", "identity") if scope["type"] == "http" else "identity"
        if encoding.strip().lower() not in ("", "identity"):
            message = f"Content-Encoding {encoding[:40]!r} is not accepted: send the body uncompressed"
            await JSONResponse({"error": message}, status_code=415)(scope, receive, send)
            return
        await self.app(scope, receive, send)


class _GenericServerError:
    """Turns an unexpected exception into a bare 500 JSON reply; the traceback goes to the server log only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception:
            log.exception("%s %s failed", scope.get("method"), scope.get("path"))
            if not started:
                await JSONResponse({"error": "internal server error"}, status_code=500)(scope, receive, send)
