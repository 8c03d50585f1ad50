"""What ranking needs of every stored chunk (its article, its place in it, the article's date), held in
memory as plain arrays.

A search looks up the facts of its ~200 candidates: from SQLite that took 6.2 ms p50 on RealTime QA
(two primary-key lookups a candidate), more than the vector scan; from these arrays it takes a binary
search. The table costs 16 bytes a chunk plus the article ids, is read from SQLite with the vectors
(47–59 ms at 37,796 chunks, from an index that leaves the stored vectors unread) and follows every
commit alongside them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable, Sequence

import numpy as np

from qa.store.filter_mask import allowed_articles
from qa.types import Filters


@dataclass(frozen=True)
class ChunkFacts:
    """What ranking needs to know about a candidate chunk besides its scores."""

    article_id: str
    ordinal: int
    published: str


@dataclass(frozen=True)
class NewChunks:
    """The chunks one commit stored for one article, ids in chunk order."""

    ids: np.ndarray
    article_id: str
    published: str
    ordinals: Sequence[int]


@dataclass(frozen=True)
class ChunkTable:
    """Facts of every stored chunk, sorted by chunk id. Replaced whole, never changed: a search keeps the
    table it took, like the vectors."""

    ids: np.ndarray  # int64, ascending
    article_rows: np.ndarray  # int32: each chunk's row in article_ids / published
    ordinals: np.ndarray  # int32
    article_ids: tuple[str, ...] = ()
    published: tuple[str, ...] = ()

    @classmethod
    def empty(cls) -> "ChunkTable":
        return cls(np.zeros(0, np.int64), np.zeros(0, np.int32), np.zeros(0, np.int32))

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[int, str, int, str]]) -> "ChunkTable":
        """From (chunk id, article id, ordinal, published) rows, each article's chunks one after another."""
        table = cls.empty().with_changes(np.zeros(0, np.int64), _grouped(rows))
        order = np.argsort(table.ids, kind="stable")
        return replace(table, ids=table.ids[order], article_rows=table.article_rows[order], ordinals=table.ordinals[order])

    def __len__(self) -> int:
        return len(self.ids)

    def facts(self, chunk_ids: Sequence[int]) -> dict[int, ChunkFacts]:
        """Facts of those of ``chunk_ids`` that are stored."""
        wanted = np.asarray(chunk_ids, dtype=np.int64)
        places = np.minimum(np.searchsorted(self.ids, wanted), max(len(self.ids) - 1, 0))
        found = self.ids[places] == wanted if len(self.ids) else np.zeros(len(wanted), bool)
        places = places[found]
        rows = self.article_rows[places].tolist()
        return {
            chunk: ChunkFacts(self.article_ids[row], ordinal, self.published[row])
            for chunk, row, ordinal in zip(wanted[found].tolist(), rows, self.ordinals[places].tolist())
        }

    def dated(self, filters: Filters) -> np.ndarray | None:
        """Ids of the chunks whose article's date ``filters`` allows, sorted, as the SQL filter of
        database.chunk_ids_matching picks them (1–2 ms where that join takes 20–60): None for a filter on
        the outlet, which the table does not hold."""
        allowed = allowed_articles(filters, np.asarray(self.published, dtype=str))
        if allowed is None:
            return None
        return self.ids[allowed[self.article_rows]] if len(self.ids) else self.ids

    def with_changes(self, removed: np.ndarray, added: Sequence[NewChunks]) -> "ChunkTable":
        """The table after a commit that deleted the chunks ``removed`` and stored ``added`` (whose ids
        are new, so larger than any stored id: SQLite's AUTOINCREMENT never reuses one)."""
        kept = ~np.isin(self.ids, removed) if len(removed) else np.ones(len(self.ids), bool)
        article_ids, published = list(self.article_ids), list(self.published)
        added_rows = []
        for chunks in added:
            added_rows.append(np.full(len(chunks.ids), len(article_ids), np.int32))
            article_ids.append(chunks.article_id)
            published.append(chunks.published)
        table = ChunkTable(
            np.concatenate([self.ids[kept], *(chunks.ids for chunks in added)]).astype(np.int64),
            np.concatenate([self.article_rows[kept], *added_rows]).astype(np.int32),
            np.concatenate([self.ordinals[kept], *(np.asarray(c.ordinals, np.int32) for c in added)]).astype(np.int32),
            tuple(article_ids),
            tuple(published),
        )
        live_articles = np.count_nonzero(np.bincount(table.article_rows, minlength=1))
        return table._compacted() if len(table.article_ids) > 2 * live_articles + 64 else table

    def _compacted(self) -> "ChunkTable":
        """Without the rows of articles no chunk refers to any more (deleted or replaced ones)."""
        used, rows = np.unique(self.article_rows, return_inverse=True)
        return ChunkTable(
            self.ids, rows.astype(np.int32), self.ordinals,
            tuple(self.article_ids[i] for i in used.tolist()), tuple(self.published[i] for i in used.tolist()),
        )


def _grouped(rows: Iterable[tuple[int, str, int, str]]) -> list[NewChunks]:
    """Rows as runs of one article's chunks (a run ends where the article changes)."""
    runs: list[NewChunks] = []
    ids: list[int] = []
    ordinals: list[int] = []
    current: tuple[str, str] | None = None
    for chunk_id, article_id, ordinal, published in rows:
        if (article_id, published) != current:
            if current is not None:
                runs.append(NewChunks(np.asarray(ids, np.int64), *current, ordinals))
            current, ids, ordinals = (article_id, published), [], []
        ids.append(chunk_id)
        ordinals.append(ordinal)
    if current is not None:
        runs.append(NewChunks(np.asarray(ids, np.int64), *current, ordinals))
    return runs
