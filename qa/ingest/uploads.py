"""Articles from what a user sent a server: uploaded files, and a JSON list of article objects. The REST
API and the chat both read uploads through here, so neither depends on the other."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from qa.errors import QAError
from qa.ingest import EXPECTED, SUFFIXES, article_from_dict, load_articles
from qa.ingest.common import type_name
from qa.ingest.urls import load_urls
from qa.ingest.web import is_url
from qa.types import Article, IngestError

if TYPE_CHECKING:
    from qa.config import FetchConfig

_LONGEST_NAME = 120


@dataclass(frozen=True)
class Upload:
    """A file a user sent: ``name`` is only ever shown, ``path`` is where the server put its bytes."""

    name: str
    path: Path


def display_name(filename: str | None) -> str:
    """The last part of a client's file name, fit to show in a report (never to open)."""
    last_part = PurePath((filename or "").replace("\\", "/")).name
    # Unicode's "other" categories: controls, and the invisible format characters (bidi overrides) that
    # would make a report show a name other than the one it holds.
    shown = "".join(character for character in last_part if unicodedata.category(character)[0] != "C")
    if shown in ("", ".", ".."):
        return "upload"
    if len(shown) <= _LONGEST_NAME:
        return shown
    # Shortened in its stem: the suffix picks the reader, so a long name must not lose it.
    suffix = PurePath(shown).suffix[:_LONGEST_NAME // 2]
    return shown[: _LONGEST_NAME - len(suffix)] + suffix


def read_upload(upload: Upload) -> Iterator[Article | IngestError]:
    """The upload's articles and errors, their origins naming the user's file rather than the server's."""
    suffix = PurePath(upload.name).suffix.lower()
    if suffix not in SUFFIXES:
        kind = f"'{suffix}'" if suffix else "(no extension)"
        yield IngestError(upload.name, f"unsupported file type {kind} {EXPECTED}")
        return
    local = str(upload.path)
    for item in load_articles(upload.path):
        if item.origin.startswith(local):
            item = replace(item, origin=upload.name + item.origin[len(local) :])
        yield item


def articles_from_records(records: Sequence[Any], fetch: FetchConfig | None = None) -> Iterator[Article | IngestError]:
    """Each record's Article, or an IngestError naming its position in the list. With ``fetch``, a string
    is a web address, whose articles (a page's, a feed's, a sitemap's) are fetched as it says."""
    for position, record in enumerate(records):
        origin = f"articles[{position}]"
        if isinstance(record, str) and fetch is not None:
            if is_url(record):
                yield from load_urls([record], fetch)
            else:
                yield IngestError(origin, "expected a JSON object (an article) or an http(s) address, got a string")
            continue
        if not isinstance(record, dict):
            yield IngestError(origin, f"expected a JSON object, got {type_name(record)}")
            continue
        try:
            yield article_from_dict(record, origin)
        except QAError as error:
            yield IngestError(origin, str(error))
