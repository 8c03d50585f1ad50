"""Filters applied in memory to arrays of article facts, as sql.filter_clause applies them in SQL: for
the chunk table and the people table, which hold every article's date (and outlet) for one generation."""

from __future__ import annotations

import numpy as np

from qa.types import Filters


def ascii_folded(text: str) -> str:
    """``text`` with ASCII letters lower-cased, as SQLite's NOCASE and LIKE compare it (other letters keep
    their case there; bytes.lower leaves every byte of a multi-byte UTF-8 character alone)."""
    return text.encode("utf-8", "surrogatepass").lower().decode("utf-8", "surrogatepass")


def allowed_articles(filters: Filters, published: np.ndarray, sources: np.ndarray | None = None) -> np.ndarray | None:
    """Which articles (``published`` dates, ``sources`` ASCII-folded outlets) ``filters`` allows, as a
    boolean array; None for a filter on the outlet when ``sources`` is not given. Dates compare as strings,
    as in SQL; an undated article passes ``as_of`` but not ``since`` or ``until``."""
    allowed = np.ones(len(published), bool)
    if filters.source:
        if sources is None:
            return None
        allowed &= sources == ascii_folded(filters.source)
    undated = published == ""
    if filters.since:
        allowed &= (published >= filters.since) & ~undated
    if filters.until:
        allowed &= (published <= filters.until) & ~undated
    if filters.as_of:
        allowed &= (published <= filters.as_of) | undated
    return allowed
