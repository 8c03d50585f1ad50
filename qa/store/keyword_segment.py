"""One segment of the BM25 index: the chunks one save (or one merge) added, as term postings, never
changed once made. Deletions are not written into a segment: the index keeps which of its chunks are
still stored (keywords.py).

A segment holds each chunk's stemmed token ids (to merge segments and to take a deleted chunk's terms
out of the document frequencies) and their postings: for term t, rows[indptr[t]:indptr[t + 1]] are the
segment's chunks holding it, counts the times each holds it. Scores are not precomputed, because BM25's
IDF and average length belong to the whole index and change at every commit: a query computes them
from the index's global statistics, so a segmented index scores exactly as one built whole would.

It also keeps the vocabulary entries its tokenizing added (stems in id order, (word, stem) pairs), so
the index's vocabulary is the segments' entries in order and a save writes only the new ones.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa.store.files import fsync_folder

# Anserini's defaults: less length normalisation than bm25s's (1.5, 0.75) suits chunks, which are cut
# to a token budget and so are much alike in length. BENCHMARKS.md has the values tried.
K1, B = 0.9, 0.4
ARRAYS = ("chunk_ids", "tokens", "offsets", "indptr", "rows", "counts")


@dataclass(frozen=True)
class Segment:
    name: str
    chunk_ids: np.ndarray  # int64, ascending
    tokens: np.ndarray  # int32: chunk i's token ids are tokens[offsets[i]:offsets[i + 1]]
    offsets: np.ndarray  # int64
    indptr: np.ndarray  # int64: postings of term t at [indptr[t], indptr[t + 1]), for the terms known when made
    rows: np.ndarray  # int32: the chunk (row) of each posting
    counts: np.ndarray  # int32: how often the term occurs in that chunk
    stems: tuple[str, ...]  # vocabulary entries added with this segment: stems, in id order
    words: tuple[tuple[str, str], ...]  # ... and (word, stem) pairs, in the order they were met
    lengths: np.ndarray = field(init=False, repr=False)  # float32 token count of each chunk

    def __post_init__(self) -> None:
        object.__setattr__(self, "lengths", np.diff(self.offsets).astype(np.float32))

    @classmethod
    def build(
        cls, name: str, chunk_ids: np.ndarray, tokens: np.ndarray, offsets: np.ndarray, terms: int,
        stems: tuple[str, ...], words: tuple[tuple[str, str], ...],
    ) -> "Segment":
        """A segment of ``chunk_ids`` (ascending) with these token ids, over a vocabulary of ``terms``."""
        rows = np.repeat(np.arange(len(chunk_ids), dtype=np.int32), np.diff(offsets))
        order = np.argsort(tokens, kind="stable")  # by term, each term's rows ascending
        term, row = tokens[order], rows[order]
        del order, rows
        first = np.ones(len(term), bool)  # first posting of each (term, row) run
        first[1:] = (term[1:] != term[:-1]) | (row[1:] != row[:-1])
        starts = np.flatnonzero(first)
        counts = np.diff(np.append(starts, len(term))).astype(np.int32)
        indptr = np.zeros(terms + 1, np.int64)
        np.cumsum(np.bincount(term[starts], minlength=terms), out=indptr[1:])
        return cls(
            name, chunk_ids.astype(np.int64), tokens.astype(np.int32), offsets.astype(np.int64), indptr,
            row[starts].astype(np.int32), counts, stems, words,
        )

    def __len__(self) -> int:
        return len(self.chunk_ids)

    def document_frequencies(self, terms: int, rows: np.ndarray | None = None) -> np.ndarray:
        """How many of the segment's chunks (only ``rows`` of them, when given) hold each term."""
        if rows is None:
            found = np.diff(self.indptr)
            return np.pad(found, (0, terms - len(found)))
        if not len(rows):
            return np.zeros(terms, np.int64)
        tokens, lengths = self.token_lists(rows)
        owner = np.repeat(np.arange(len(rows), dtype=np.int64), lengths)
        pairs = np.unique(owner * terms + tokens.astype(np.int64))
        return np.bincount(pairs % terms, minlength=terms)

    def scores(self, terms: list[int], idf: np.ndarray, average_length: float) -> np.ndarray:
        """BM25 (Lucene's variant, as bm25s computes it) of every chunk for query ``terms``, weighted by ``idf``."""
        scores = np.zeros(len(self), np.float32)
        known = len(self.indptr) - 1
        for term, weight in zip(terms, idf.tolist()):
            if term >= known:
                continue
            start, end = self.indptr[term], self.indptr[term + 1]
            rows = self.rows[start:end]
            tf = self.counts[start:end].astype(np.float32)
            norm = np.float32(K1) * (np.float32(1 - B) + np.float32(B / average_length) * self.lengths[rows])
            scores[rows] += np.float32(weight) * tf / (norm + tf)
        return scores

    def token_lists(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The tokens and per-chunk lengths of ``rows``, in that order."""
        starts = self.offsets[rows]
        lengths = self.offsets[rows + 1] - starts
        before = np.cumsum(lengths) - lengths  # where each chunk's tokens start in the result
        picks = np.repeat(starts - before, lengths) + np.arange(int(lengths.sum()))
        return np.asarray(self.tokens[picks], np.int32), lengths

    # -- disk ----------------------------------------------------------------------------------

    def write(self, folder: Path) -> None:
        """Every file of the segment into the empty ``folder``, flushed to disk."""
        for name in ARRAYS:
            np.save(folder / f"{name}.npy", getattr(self, name))
        vocabulary = {"stems": list(self.stems), "words": [list(pair) for pair in self.words]}
        (folder / "vocabulary.json").write_text(json.dumps(vocabulary, ensure_ascii=False), encoding="utf-8")
        for path in folder.iterdir():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
        fsync_folder(folder)

    @classmethod
    def read(cls, folder: Path) -> "Segment":
        """A written segment, its arrays memory-mapped. OSError when it is gone (merged away meanwhile)."""
        arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in ARRAYS}
        vocabulary = json.loads((folder / "vocabulary.json").read_text(encoding="utf-8"))
        words = tuple((word, stem) for word, stem in vocabulary["words"])
        return cls(folder.name, **arrays, stems=tuple(vocabulary["stems"]), words=words)
