"""JSON Lines: one article object per line, streamed so that large files never sit in memory."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any, BinaryIO

from qa.errors import QAError
from qa.ingest.common import article_from_dict, decode_utf8, type_name
from qa.types import Article, IngestError

_SNIFF_BYTES = 8192


def read_jsonl(path: str | os.PathLike) -> Iterator[Article | IngestError]:
    """Each line's Article, or an IngestError at "path:line" for a bad line; blank lines are skipped."""
    origin = os.fspath(path)
    try:
        file = open(path, "rb")
    except OSError as err:
        yield IngestError(origin, f"cannot read file ({err.strerror or err})")
        return
    with file:
        if b"\0" in file.read(_SNIFF_BYTES):
            yield IngestError(origin, "binary file (contains NUL bytes; expected UTF-8 text)")
            return
        file.seek(0)
        yield from _read_lines(file, origin)


def _read_lines(file: BinaryIO, origin: str) -> Iterator[Article | IngestError]:
    found_any = False
    # Binary lines split on b"\n" only; str.splitlines would also break inside text containing U+2028.
    for number, raw in enumerate(file, 1):
        result = _read_line(raw, f"{origin}:{number}")
        if result is not None:
            found_any = True
            yield result
    if not found_any:
        yield IngestError(origin, "empty file")


def _read_line(raw: bytes, origin: str) -> Article | IngestError | None:
    try:
        line = decode_utf8(raw)
        if not line.strip():
            return None
        return article_from_dict(_json_object(line), origin)
    except QAError as err:
        return IngestError(origin, str(err))


def _json_object(line: str) -> dict[str, Any]:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as err:
        raise QAError(f"invalid JSON ({err.msg} at column {err.colno})") from None
    if not isinstance(data, dict):
        raise QAError(f"expected a JSON object, got {type_name(data)}")
    return data
