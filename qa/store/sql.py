"""SQL pieces shared by the tables of meta.sqlite: write transactions, the WHERE clause of search filters,
and long IN lists cut to SQLite's limit on bound parameters."""

from __future__ import annotations

import sqlite3
from typing import Iterator, Sequence

from qa.types import Filters


class Transaction:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any error (including KeyboardInterrupt)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, kind, error, traceback) -> None:
        self.db.execute("ROLLBACK" if kind else "COMMIT")


def filter_clause(filters: Filters) -> tuple[str, list[str]]:
    clauses, params = ["1"], []
    if filters.source:
        clauses.append("a.source = ? COLLATE NOCASE")
        params.append(filters.source)
    if filters.since:
        clauses.append("a.published >= ? AND a.published != ''")
        params.append(filters.since)
    if filters.until:
        clauses.append("a.published <= ? AND a.published != ''")
        params.append(filters.until)
    if filters.as_of:
        clauses.append("(a.published <= ? OR a.published = '')")
        params.append(filters.as_of)
    return " AND ".join(clauses), params


def marks(values: Sequence[object]) -> str:
    return ", ".join("?" * len(values))


def batches(values: Sequence, size: int = 900) -> Iterator[list]:
    """SQLite caps bound parameters per statement; split long IN lists."""
    for begin in range(0, len(values), size):
        yield list(values[begin : begin + size])
