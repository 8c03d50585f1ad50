"""A Milvus address (milvus://HOST:PORT/COLLECTION), the client connected to it, and Milvus's errors as one
QAError line naming the address."""

from __future__ import annotations

import logging
import re
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

from qa.errors import QAError

if TYPE_CHECKING:
    from pymilvus import MilvusClient

# A refused connection fails at once; this bounds only a server that accepts and is slow to answer, as a
# busy milvus-lite can be for several seconds when its machine is loaded.
CONNECT_SECONDS = 30
_ADDRESS = re.compile(r"milvus://(?P<host>[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:]+\]):(?P<port>\d{1,5})/(?P<collection>[^/]*)")
_COLLECTION = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,199}")


@dataclass(frozen=True)
class Address:
    host: str
    port: int
    collection: str  # the prefix of this store's collections (see schema.py)

    @property
    def uri(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __str__(self) -> str:
        return f"milvus://{self.host}:{self.port}/{self.collection}"


def parse_address(location: str) -> Address:
    match = _ADDRESS.fullmatch(location.strip())
    if match is None:
        raise QAError(f"{location}: not a Milvus address; write milvus://HOST:PORT/COLLECTION")
    port = int(match["port"])
    if not 0 < port < 65536:
        raise QAError(f"{location}: port {port} is out of range (1-65535)")
    if not _COLLECTION.fullmatch(match["collection"]):
        raise QAError(
            f"{location}: collection {match['collection']!r} must be a letter or _ then letters, digits or _ "
            "(at most 200)"
        )
    return Address(match["host"], port, match["collection"])


def connect(address: Address) -> MilvusClient:
    from pymilvus import MilvusClient

    # pymilvus logs every failed call with its traceback before raising; the QAError below says it in one line.
    logging.getLogger("pymilvus").setLevel(logging.CRITICAL)
    with milvus_errors(address):
        # A channel of its own, closed with the store: pymilvus otherwise shares one channel per address
        # in the process, and a shared channel left idle by another open store was refused on reuse in a
        # CI run (milvus-lite had sent it GOAWAY "too_many_pings"), where a new channel connects at once.
        client = MilvusClient(uri=address.uri, timeout=CONNECT_SECONDS, dedicated=True)
        client.list_collections()  # fails here, not at the first read, when nothing answers
    return client


@contextmanager
def milvus_errors(address: Address) -> Iterator[None]:
    """Milvus's and gRPC's errors as a QAError naming the address."""
    from pymilvus.exceptions import MilvusException

    try:
        yield
    except MilvusException as error:
        message = " ".join(str(getattr(error, "message", "") or error).split())
        if "connect" in message.lower() or "unavailable" in message.lower() or "timeout" in message.lower():
            raise QAError(f"{address}: cannot reach Milvus at {address.host}:{address.port} ({message})") from None
        raise QAError(f"{address}: Milvus refused the request: {message}") from None
