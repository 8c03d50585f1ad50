"""Rows of the Milvus collections made from an article, the ids they get, and the filter expressions that
stand for the local store's SQL (sql.filter_clause)."""

from __future__ import annotations

import hashlib
import json
import time
from typing import TYPE_CHECKING, Sequence

import numpy as np

from qa.store.milvus.schema import NO_VECTOR, TEXT_PIECE
from qa.store.milvus.terms import terms
from qa.types import Filters

if TYPE_CHECKING:
    from qa.store.article_rows import NewArticle
    from qa.types import Article


def row_id(article_id: str, place: int | str) -> int:
    """The id of an article's ``place``-th passage (or quote, person, text piece, story band; or its story
    link to the article ``place`` names): the first 8 bytes of a SHA-256 as a signed int64, so a re-run
    writes the same rows again (an upsert)."""
    digest = hashlib.sha256(f"{article_id}\x1f{place}".encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def day(published: str) -> int | None:
    """yyyymmdd of an ISO date; None (NULL) for an undated article."""
    return int(published.replace("-", "")) if published else None


def literal(value: str) -> str:
    """A string literal of Milvus's expression language."""
    return json.dumps(value)


def one_of(field: str, values: Sequence[str | int]) -> str:
    return f"{field} in {json.dumps(list(values))}"


def filter_expression(filters: Filters) -> str:
    """The articles ``filters`` allows, over the fields every row carries of its article ("" for all)."""
    clauses = []
    if filters.source:
        clauses.append(f"source_key == {literal(filters.source.casefold())}")
    if filters.since:
        clauses.append(f"published_day >= {day(filters.since)}")  # NULL (undated) compares false
    if filters.until:
        clauses.append(f"published_day <= {day(filters.until)}")
    if filters.as_of:
        clauses.append(f"(published_day <= {day(filters.as_of)} or published_day is null)")
    return " and ".join(clauses)


def both(*expressions: str) -> str:
    return " and ".join(f"({expression})" for expression in expressions if expression)


def article_facts(article: Article) -> dict:
    """What every row of an article carries for filters."""
    return {
        "article_id": article.id, "source_key": article.source.casefold(), "published": article.published,
        "published_day": day(article.published),
    }


def article_row(item: NewArticle) -> dict:
    article = item.article
    return {
        "id": article.id, "no_vector": NO_VECTOR, "text_hash": item.text_hash, "title": article.title,
        "url": article.url, "authors": json.dumps(list(article.authors), ensure_ascii=False),
        "source": article.source, "origin": article.origin, "pages": json.dumps(list(article.pages)),
        "source_key": article.source.casefold(), "published": article.published,
        "published_day": day(article.published), "stored": time.time_ns(), "pieces": len(text_pieces(article.text)),
    }


def text_pieces(text: str) -> list[str]:
    return [text[begin : begin + TEXT_PIECE] for begin in range(0, len(text), TEXT_PIECE)] or [""]


def text_rows(article: Article) -> list[dict]:
    return [
        {"id": row_id(article.id, place), "no_vector": NO_VECTOR, "article_id": article.id, "place": place, "text": piece}
        for place, piece in enumerate(text_pieces(article.text))
    ]


def passage_rows(item: NewArticle) -> list[dict]:
    article, facts = item.article, article_facts(item.article)
    return [
        {
            "id": row_id(article.id, chunk.ordinal), "vector": np.asarray(vector, np.float32).tolist(),
            "text": article.text[chunk.start : chunk.end],
            "terms": terms(f"{article.title}\n{article.text[chunk.start : chunk.end]}"), **facts,
            "text_hash": item.text_hash,
            "place": chunk.ordinal, "start": chunk.start, "end": chunk.end,
        }
        for chunk, vector in zip(item.chunks, item.vectors)
    ]


def quote_rows(article: Article, item_found, vectors: Sequence[np.ndarray | None], dimension: int) -> list[dict]:
    """Rows of an article's quotes (FoundQuotes ``item_found``; ``vectors`` aligned, None when not embedded)."""
    facts = article_facts(article)
    frames = item_found.frames or [(None, None)] * len(item_found.quotes)
    vectors = list(vectors) or [None] * len(frames)
    rows = []
    for place, (quote, (frame_start, frame_end), vector) in enumerate(zip(item_found.quotes, frames, vectors)):
        rows.append({
            "id": row_id(article.id, place), **facts, "place": place, "start": quote.start, "end": quote.end,
            "vector": np.zeros(dimension, np.float32).tolist() if vector is None else np.asarray(vector, np.float32).tolist(),
            "embedded": vector is not None, "text": article.text[quote.start : quote.end],
            "framing": article.text[frame_start:frame_end] if frame_start is not None else "",
            "frame_start": frame_start, "frame_end": frame_end, "speaker": quote.speaker, "role": quote.role,
            "speaker_folded": quote.speaker.casefold(), "role_folded": quote.role.casefold(),
        })
    return rows


def people_rows(article: Article, item_found) -> list[dict]:
    facts = article_facts(article)
    return [
        {
            "id": row_id(article.id, place), "no_vector": NO_VECTOR, **facts, "place": place, "name": person.name,
            "role": person.role, "name_folded": person.name.casefold(), "role_folded": person.role.casefold(),
            "quotes": person.quotes,
        }
        for place, person in enumerate(item_found.people)
    ]


def name_words_expression(fields: tuple[str, str], name_words: Sequence[str]) -> str:
    """Rows whose folded ``fields`` contain one of the words (Milvus's LIKE knows no escapes: a word's
    longest run without % or _ stands for it here, and callers check the whole word)."""
    either = []
    for word in name_words:
        run = max("".join(c if c not in "%_" else " " for c in word.casefold()).split(" "), key=len)
        either += [f"{field} like {literal(f'%{run}%')}" for field in fields]
    return " or ".join(either)


def contains_one(values: Sequence[str], name_words: Sequence[str]) -> bool:
    words = [word.casefold() for word in name_words]
    return any(word in value.casefold() for value in values for word in words)
