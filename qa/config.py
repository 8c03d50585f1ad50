"""User settings with their defaults, and the only reader of QA_* environment variables. Facts derived
from a built index live in its manifest instead."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MODEL = "all-MiniLM-L6-v2"
DEFAULT_INDEX = "index"


@dataclass(frozen=True)
class Settings:
    """How a new index is built. An existing index keeps the settings recorded in its manifest."""

    model: str = DEFAULT_MODEL
    chunk_tokens: int = 256  # most model tokens of a chunk as embedded, headline included; the model caps it
    overlap_tokens: int = 32  # whole sentences repeated from the previous chunk, up to this many tokens
    title_tokens: int = 48  # most tokens of the headline prepended to each chunk's embedded text
    batch_size: int = 32  # texts per forward pass of the embedding model
    commit_chunks: int = 512  # chunks embedded per committed batch: an interruption loses at most these
    # How the model runs (qa.embed.BACKENDS). None: the default backend, unless an existing index was
    # built with one whose vectors the default's cannot mix with; then that index's own.
    backend: str | None = None
    reranker: str = ""  # a sentence-transformers CrossEncoder name or folder that reorders search results

    @classmethod
    def from_env(cls, **overrides: object) -> "Settings":
        """Defaults, then QA_* environment variables, then explicit overrides that are not None."""
        values: dict[str, object] = {}
        if os.environ.get("QA_MODEL"):
            values["model"] = os.environ["QA_MODEL"]
        if os.environ.get("QA_BACKEND"):
            values["backend"] = os.environ["QA_BACKEND"]
        if os.environ.get("QA_RERANKER"):
            values["reranker"] = os.environ["QA_RERANKER"]
        values.update({key: value for key, value in overrides.items() if value is not None})
        return cls(**values)


@dataclass(frozen=True)
class LLMConfig:
    """An OpenAI-compatible chat endpoint that writes answers from retrieved passages (qa.answer.llm)."""

    url: str  # the server's base URL, e.g. http://127.0.0.1:8080/v1 (or without /v1)
    model: str = ""  # some servers serve one model and ignore this
    api_key: str = ""
    timeout: float = 60.0  # seconds to connect, and between two streamed pieces
    max_tokens: int = 400
    temperature: float = 0.2

    @classmethod
    def from_env(cls, *, url: str | None = None, model: str | None = None) -> "LLMConfig | None":
        """QA_LLM_URL, QA_LLM_MODEL and QA_LLM_API_KEY, with ``url`` and ``model`` overriding them when
        given; None when no URL is set."""
        url = (url or os.environ.get("QA_LLM_URL", "")).strip()
        if not url:
            return None
        model = model if model is not None else os.environ.get("QA_LLM_MODEL", "")
        return cls(url=url, model=model, api_key=os.environ.get("QA_LLM_API_KEY", ""))

    @property
    def completions_url(self) -> str:
        base = self.url.rstrip("/")
        if base.endswith("/chat/completions"):
            return base
        if not base.endswith("/v1"):
            base += "/v1"
        return base + "/chat/completions"


@dataclass(frozen=True)
class FetchConfig:
    """How articles are fetched from the web (qa.ingest.web): its caps, timeouts and manners."""

    timeout: float = 20.0  # seconds to connect, and between two pieces of a response
    deadline: float = 60.0  # seconds for one whole response, however slowly it trickles in
    max_bytes: int = 10 * 1024 * 1024  # largest response body (after decompression)
    max_redirects: int = 5
    max_items: int = 1000  # pages taken from one feed or sitemap (a sitemap index's children together)
    max_sitemaps: int = 50  # sitemaps read for one sitemap index
    user_agent: str = "article-qa/0.1 (news question answering; respects robots.txt)"
    # Loopback, private, link-local and other non-public addresses. A server refuses them (a user must not
    # make it fetch from its own network) unless started with --allow-private-urls; the command line allows them.
    allow_private: bool = False


def index_path() -> str:
    """The index folder commands use unless told: $QA_INDEX, else ./index."""
    return os.environ.get("QA_INDEX") or DEFAULT_INDEX


def store_location() -> str | None:
    """The store commands use unless told, if set: $QA_STORE (milvus://HOST:PORT/COLLECTION or a folder)."""
    return os.environ.get("QA_STORE") or None


def auth_token() -> str | None:
    """The server's API token unless given on the command line: $QA_AUTH_TOKEN."""
    return os.environ.get("QA_AUTH_TOKEN") or None


def cache_root() -> Path:
    """Where article-qa keeps what it derives and can rebuild: $QA_CACHE, else ~/.cache/article-qa."""
    return Path(os.environ.get("QA_CACHE") or Path.home() / ".cache" / "article-qa")
