"""Fetching from the web with manners and limits: http(s) only, timeouts, a size cap, a redirect cap,
a User-Agent, robots.txt, and (unless allowed) no loopback or private addresses, checked where the
connection is made, so neither a redirect nor a DNS answer that changes can lead it inside."""

from __future__ import annotations

import ipaddress
import socket
import time
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

import httpcore
import httpx

from qa.errors import QAError

if TYPE_CHECKING:
    from qa.config import FetchConfig

_REDIRECTS = {301, 302, 303, 307, 308}
_GZIP_MAGIC = b"\x1f\x8b"


class HTTPStatusError(QAError):
    """The server answered with an error status (4xx, 5xx)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"HTTP {status} {reason}".strip())
        self.status = status


def is_url(text: str) -> bool:
    """Whether a command-line argument names a web address rather than a file."""
    return "://" in text


def checked_url(url: str) -> str:
    """``url`` if it is an absolute http(s) address with a host; QAError saying what is wrong otherwise."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError as err:
        raise QAError(f"invalid URL ({err})") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise QAError(f"not an http(s) URL (scheme {parts.scheme or 'missing'!r})")
    if not parts.hostname:
        raise QAError("invalid URL (no host)")
    return urlunsplit(parts._replace(fragment=""))


@dataclass(frozen=True)
class Response:
    """A fetched resource; ``url`` is where it was found, after redirects."""

    url: str
    content_type: str  # the media type alone, lower case: "text/html"
    body: bytes = b""
    etag: str = ""
    last_modified: str = ""
    not_modified: bool = False  # a conditional request answered 304: nothing changed


class Fetcher:
    """One HTTP client with its robots.txt cache; close it (or use it as a context manager)."""

    def __init__(self, config: FetchConfig) -> None:
        self.config = config
        transport = httpx.HTTPTransport(trust_env=False)
        # httpcore's network backend is where the address is resolved and connected to: checking it there
        # covers every redirect and pins the connection to the address checked.
        transport._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(), network_backend=_GuardedBackend(config.allow_private)
        )
        self._client = httpx.Client(
            transport=transport, timeout=config.timeout, follow_redirects=False, trust_env=False,
            headers={"User-Agent": config.user_agent},
        )
        self._robots: dict[str, RobotFileParser | None] = {}

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(self, url: str, *, etag: str = "", last_modified: str = "") -> Response:
        """The resource at ``url``, following redirects; QAError (one line) for anything that stops it.
        With ``etag`` or ``last_modified`` it is asked for only if changed (else ``not_modified``)."""
        headers = {"If-None-Match": etag} if etag else {}
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self._follow(checked_url(url), headers, robots=True)

    def _follow(self, url: str, headers: dict[str, str], *, robots: bool) -> Response:
        seen = {url}
        for _ in range(self.config.max_redirects + 1):
            if robots and not self._robots_allow(url):
                raise QAError("disallowed by robots.txt" + (f" ({url})" if len(seen) > 1 else ""))
            response, location = self._one(url, headers)
            if location is None:
                return response
            url = checked_url(urljoin(url, location))
            if url in seen:
                raise QAError(f"redirect loop (back to {url})")
            seen.add(url)
        raise QAError(f"more than {self.config.max_redirects} redirects")

    def _one(self, url: str, headers: dict[str, str]) -> tuple[Response, str | None]:
        try:
            with self._client.stream("GET", url, headers=headers) as reply:
                if reply.status_code in _REDIRECTS and reply.headers.get("location"):
                    return Response(url, ""), reply.headers["location"]
                if reply.status_code == 304:
                    return Response(url, "", not_modified=True, **_validators(reply.headers)), None
                if reply.status_code >= 400 or reply.status_code < 200:
                    raise HTTPStatusError(reply.status_code, reply.reason_phrase)
                body = self._body(reply)
        except httpx.TimeoutException:
            raise QAError(f"timed out (no answer within {self.config.timeout:g} s)") from None
        except httpx.HTTPError as err:
            raise QAError(f"request failed ({type(err).__name__}: {' '.join(str(err).split())[:160]})") from None
        media_type = reply.headers.get("content-type", "").split(";")[0].strip().lower()
        if body[:2] == _GZIP_MAGIC:  # a gzipped file itself (sitemap.xml.gz), not a gzip Content-Encoding
            body, media_type = self._gunzipped(body), ""
        return Response(url, media_type, body, **_validators(reply.headers)), None

    def _gunzipped(self, body: bytes) -> bytes:
        """A gzip file's contents, held to the size cap as they expand (a small file can expand a lot)."""
        inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            data = inflate.decompress(body, self.config.max_bytes + 1)
        except zlib.error as err:
            raise QAError(f"broken gzip file ({err})") from None
        if len(data) > self.config.max_bytes:
            raise QAError(f"larger than the {self.config.max_bytes / 1024 / 1024:g} MB limit once decompressed")
        return data

    def _body(self, reply: httpx.Response) -> bytes:
        limit = self.config.max_bytes
        too_large = QAError(f"larger than the {limit / 1024 / 1024:g} MB limit")
        declared = reply.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise too_large
        ends = time.monotonic() + self.config.deadline
        parts, size = [], 0
        for part in reply.iter_bytes():
            size += len(part)
            if size > limit:
                raise too_large
            if time.monotonic() > ends:
                raise QAError(f"timed out (not complete within {self.config.deadline:g} s)")
            parts.append(part)
        return b"".join(parts)

    def _robots_allow(self, url: str) -> bool:
        """What the site's robots.txt says about ``url`` for our User-Agent (RFC 9309: none, or another 4xx,
        allows everything; a 5xx allows nothing; a site that cannot be reached fails the fetch)."""
        parts = urlsplit(url)
        site = f"{parts.scheme}://{parts.netloc}"
        if site not in self._robots:
            self._robots[site] = self._read_robots(site + "/robots.txt")
        rules = self._robots[site]
        return rules is None or rules.can_fetch(self.config.user_agent, url)

    def _read_robots(self, robots_url: str) -> RobotFileParser | None:
        rules = RobotFileParser(robots_url)
        try:
            found = self._follow(robots_url, {}, robots=False)
        except HTTPStatusError as err:
            if err.status < 500:
                return None
            rules.disallow_all = True
            return rules
        rules.parse(found.body.decode("utf-8", errors="replace").splitlines())
        return rules


def _validators(headers: httpx.Headers) -> dict[str, str]:
    return {"etag": headers.get("etag", ""), "last_modified": headers.get("last-modified", "")}


class _GuardedBackend(httpcore.SyncBackend):
    """Connects only to public addresses unless ``allow_private``: the host is resolved here and the
    connection made to the address that was checked (TLS still verifies the host name)."""

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, **options: Any) -> httpcore.NetworkStream:
        if not self.allow_private:
            host = public_address(host, port)
        return super().connect_tcp(host, port, timeout, **options)


def public_address(host: str, port: int) -> str:
    """An address ``host`` resolves to, if every one is public; QAError naming one that is not."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as err:
        raise QAError(f"cannot resolve host {host!r} ({err})") from None
    addresses = [ipaddress.ip_address(entry[4][0].split("%")[0]) for entry in found]
    for address in addresses:
        mapped = getattr(address, "ipv4_mapped", None) or address
        if not mapped.is_global or mapped.is_multicast:
            named = host if host == str(address) else f"{host} ({address})"
            raise QAError(
                f"refused: {named} is a loopback or private address; "
                "the server fetches only public addresses unless started with --allow-private-urls"
            )
    return str(addresses[0])
