"""The quotes and people tables of meta.sqlite: what quote finding stored for each article, and the read
that answers "what did X say" (a speaker's quotations with their framings and vectors; who holds a name or
role, and when, is read from the people table in memory: qa.store.people_table).

People are stored per article (name, role, how many of its quotations are theirs) and summed when read, so
adding, replacing and deleting an article keeps them exact with no rebuild: deleting the article cascades.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from qa.types import FoundQuotes, Quote

SCHEMA = """
CREATE TABLE IF NOT EXISTS quotes (
    id INTEGER PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    speaker TEXT NOT NULL,
    role TEXT NOT NULL,
    frame_start INTEGER,
    frame_end INTEGER,
    vector BLOB
);
CREATE INDEX IF NOT EXISTS quotes_by_article ON quotes (article_id);
CREATE INDEX IF NOT EXISTS quotes_by_speaker ON quotes (speaker COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS people (
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    quotes INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS people_by_article ON people (article_id);
CREATE INDEX IF NOT EXISTS people_by_name ON people (name COLLATE NOCASE);
"""

# Columns quote finding added after the quotes table was first shipped: older indexes get them on open,
# empty, and the quote backfill (EXTRACTOR_VERSION) fills them.
_ADDED_COLUMNS = {"frame_start": "INTEGER", "frame_end": "INTEGER", "vector": "BLOB"}


@dataclass(frozen=True)
class SpeakerQuotes:
    """Stored quotations of some speakers: each with the words framing it and its vector (a zero row for
    a quote stored before quotes had vectors, which ``embedded`` marks False)."""

    quotes: list[Quote]
    framings: list[str]
    published: list[str]
    vectors: np.ndarray
    embedded: np.ndarray


def missing_columns(db: sqlite3.Connection) -> list[str]:
    """The columns this version stores that an older index's quotes table lacks."""
    present = {row[1] for row in db.execute("PRAGMA table_info(quotes)")}
    return [column for column in _ADDED_COLUMNS if column not in present]


def migrate(db: sqlite3.Connection) -> None:
    """Give an older index's quotes table the columns this version stores (in a write transaction)."""
    for column in missing_columns(db):
        db.execute(f"ALTER TABLE quotes ADD COLUMN {column} {_ADDED_COLUMNS[column]}")


def insert(
    db: sqlite3.Connection, article_id: str, found: FoundQuotes, vectors: Sequence[np.ndarray | None]
) -> None:
    """Store an article's quotes (``vectors`` aligned with them, None for a quote not embedded) and people."""
    frames = found.frames or [(None, None)] * len(found.quotes)
    rows = []
    for quote, (frame_start, frame_end), vector in zip(found.quotes, frames, list(vectors) or [None] * len(frames)):
        blob = None if vector is None else np.asarray(vector, np.float32).tobytes()
        rows.append((article_id, quote.start, quote.end, quote.speaker, quote.role, frame_start, frame_end, blob))
    db.executemany(
        "INSERT INTO quotes (article_id, start, end, speaker, role, frame_start, frame_end, vector) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    db.executemany(
        "INSERT INTO people (article_id, name, role, quotes) VALUES (?, ?, ?, ?)",
        [(article_id, person.name, person.role, person.quotes) for person in found.people],
    )


def delete(db: sqlite3.Connection, article_id: str) -> None:
    db.execute("DELETE FROM quotes WHERE article_id = ?", (article_id,))
    db.execute("DELETE FROM people WHERE article_id = ?", (article_id,))


def quotes(
    db: sqlite3.Connection, where: str, params: list[str], name_words: Sequence[str],
    article_id_parts: Sequence[Sequence[str] | None],
) -> list[Quote]:
    """Stored quotes with their words in articles matching ``where`` (and, in turn, each part of article
    ids; None: any article), by article then position. ``name_words`` keeps quotes whose speaker or role
    contains one of the words (a cheap pre-filter; callers match names exactly)."""
    if name_words:
        either = "q.speaker LIKE ? ESCAPE '\\' OR q.role LIKE ? ESCAPE '\\'"
        where += " AND (" + " OR ".join([either] * len(name_words)) + ")"
        params = params + [f"%{like_escaped(word)}%" for word in name_words for _ in (0, 1)]
    query = (
        "SELECT q.article_id, q.start, q.end, substr(a.text, q.start + 1, q.end - q.start), q.speaker, q.role "
        f"FROM quotes q JOIN articles a ON a.id = q.article_id WHERE {where}"
    )
    rows: list[tuple] = []
    for part in article_id_parts:
        in_part = f" AND q.article_id IN ({', '.join('?' * len(part))})" if part is not None else ""
        rows += db.execute(f"{query}{in_part}", params + list(part or [])).fetchall()
    return [Quote(*row) for row in sorted(rows, key=lambda row: (row[0], row[1]))]


def speaker_quotes(
    db: sqlite3.Connection, speakers: Sequence[str], where: str, params: list[str], dimension: int
) -> SpeakerQuotes:
    """Every stored quotation of ``speakers`` (exact names) in articles matching ``where``, by article
    then position."""
    if not speakers:
        return SpeakerQuotes([], [], [], np.zeros((0, dimension), np.float32), np.zeros(0, bool))
    marks = ", ".join("?" * len(speakers))
    rows = db.execute(
        "SELECT q.article_id, q.start, q.end, substr(a.text, q.start + 1, q.end - q.start), q.speaker, q.role, "
        "coalesce(substr(a.text, q.frame_start + 1, q.frame_end - q.frame_start), ''), a.published, q.vector "
        # The NOCASE comparison lets the quotes_by_speaker index find the rows; the exact one keeps the names.
        f"FROM quotes q JOIN articles a ON a.id = q.article_id WHERE q.speaker COLLATE NOCASE IN ({marks}) "
        f"AND q.speaker IN ({marks}) AND {where}",
        list(speakers) * 2 + params,
    ).fetchall()
    rows.sort(key=lambda row: (row[0], row[1]))
    vectors = np.zeros((len(rows), dimension), np.float32)
    embedded = np.zeros(len(rows), bool)
    for position, row in enumerate(rows):
        if row[8] is not None:
            vectors[position] = np.frombuffer(row[8], np.float32)
            embedded[position] = True
    return SpeakerQuotes(
        [Quote(*row[:6]) for row in rows], [row[6] for row in rows], [row[7] for row in rows], vectors, embedded
    )


def like_escaped(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
