"""The BM25 side of an index: BM25 over each chunk's headline and text, in segments. The only module
that imports bm25s's Tokenizer.

A commit's new chunks become a small new segment (keyword_segment.py) and deleted chunks are only
marked, so a save writes what changed, not the whole index: a one-article add to 1M passages took
minutes when bm25s's matrix was rebuilt whole (BENCHMARKS.md). Small segments are merged into larger
ones as they pile up (each new one at least a quarter of the one before it, up to MAX_MERGED chunks),
and a segment more than half deleted is rewritten without them. The index keeps corpus-wide statistics
(how many stored chunks hold each term, their total length), which every segment is scored with:
scores equal those of one index built over the stored chunks (bm25s's Lucene BM25).

On disk, keywords/segments/<name>/ holds each segment and keywords/<generation>-v<build version>.json
names the segments of one generation and the chunk ids deleted from them. Segments are written under a
temporary name and renamed into place, then the commit file replaces the older one, so a reader finds
a whole generation or the one before; segments no commit names are removed after it.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
from bm25s.tokenization import Tokenizer

from qa.store.files import write_json_atomically
from qa.store.keyword_segment import Segment
from qa.text import english_stemmer

FOLDER = "keywords"
SEGMENTS = "segments"
# bm25s's default splitter drops one-character words, and with them the 5 of "Article 5".
SPLITTER = r"(?u)\b\w+\b"
BUILD_VERSION = 3  # bump when tokenization, BM25 parameters or files change: older builds are made anew
MERGE_RATIO = 4  # the newest segment is merged into the one before once it holds a quarter of its chunks
MAX_MERGED = 500_000  # chunks beyond which segments are no longer merged (only rewritten without deletions)
TOKENIZE_BATCH = 4096

ChunkTexts = Callable[[np.ndarray], list[str]]  # the indexed text (headline and passage) of chunk ids


def _tokenizer() -> Tokenizer:
    return Tokenizer(splitter=SPLITTER, stopwords="en", stemmer=english_stemmer())


@dataclass(frozen=True)
class KeywordIndex:
    """BM25 over the chunks stored at one SQLite generation. Never changed after it is made: a change of
    the chunks makes a new one (``synced``), so searches in flight keep a consistent one."""

    generation: int
    segments: tuple[Segment, ...]  # oldest first: chunk ids ascend across them
    live: tuple[np.ndarray, ...]  # per segment, which of its chunks are still stored
    document_frequencies: np.ndarray  # int64 per term, over the stored chunks
    total_length: int  # tokens in the stored chunks
    stored: int  # stored chunks
    tokenizer: Tokenizer  # the vocabulary of every segment; copied before it tokenizes new chunks

    @classmethod
    def empty(cls) -> "KeywordIndex":
        return cls(-1, (), (), np.zeros(0, np.int64), 0, 0, _tokenizer())

    @property
    def chunk_ids(self) -> np.ndarray:
        """The stored chunks this index holds, ascending."""
        held = [segment.chunk_ids[live] for segment, live in zip(self.segments, self.live)]
        return np.concatenate(held) if held else np.zeros(0, np.int64)

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(chunk id, BM25 score) of the best ``k`` chunks that hold a query term, best first; only
        chunks in ``allowed`` (sorted ids) when it is given."""
        known = self.tokenizer.stem_to_sid
        frequencies = self.document_frequencies
        terms = sorted({known[stem] for stem in _query_stems(query) if stem and stem in known})
        terms = [term for term in terms if term < len(frequencies) and frequencies[term]]
        if not terms:
            return []
        df = frequencies[terms].astype(np.float64)
        idf = np.log(1 + (self.stored - df + 0.5) / (df + 0.5)).astype(np.float32)
        average_length = self.total_length / self.stored
        ids, scores = [], []
        for segment, live in zip(self.segments, self.live):
            found = segment.scores(terms, idf, average_length)
            keep = live if allowed is None else live & _members(segment.chunk_ids, allowed)
            rows = np.flatnonzero((found > 0) & keep)
            ids.append(segment.chunk_ids[rows])
            scores.append(found[rows])
        ids_, scores_ = np.concatenate(ids), np.concatenate(scores)
        if len(ids_) > k:
            best = np.argpartition(-scores_, k - 1)[:k]
            ids_, scores_ = ids_[best], scores_[best]
        order = np.lexsort((ids_, -scores_))  # ties in chunk order, as a single index ranks them
        return [(int(ids_[i]), float(scores_[i])) for i in order]

    def synced(self, generation: int, stored_ids: np.ndarray, texts_of: ChunkTexts) -> "KeywordIndex":
        """This index brought up to ``stored_ids`` (ascending), the chunks stored at ``generation``:
        removed chunks marked, new ones tokenized into a new segment, small segments merged."""
        if generation == self.generation:
            return self
        terms = len(self.tokenizer.stem_to_sid)
        frequencies = np.array(self.document_frequencies, np.int64)
        total_length, stored = self.total_length, self.stored
        live = []
        for segment, was in zip(self.segments, self.live):
            now = was & _members(segment.chunk_ids, stored_ids)
            gone = np.flatnonzero(was & ~now)
            if len(gone):
                frequencies -= segment.document_frequencies(terms, gone)
                total_length -= int(np.diff(segment.offsets)[gone].sum())
                stored -= len(gone)
            live.append(now)
        held = np.concatenate([segment.chunk_ids for segment in self.segments]) if self.segments else np.zeros(0, np.int64)
        new_ids = stored_ids[~_members(stored_ids, np.sort(held))]
        segments = list(self.segments)
        tokenizer = self.tokenizer
        if len(new_ids):
            tokenizer = _copy(self.tokenizer)
            segment = _tokenized(generation, new_ids, texts_of, tokenizer)
            terms = len(tokenizer.stem_to_sid)
            frequencies = np.pad(frequencies, (0, terms - len(frequencies))) + segment.document_frequencies(terms)
            total_length += int(len(segment.tokens))
            stored += len(segment)
            segments.append(segment)
            live.append(np.ones(len(segment), bool))
        segments, live = _merged(generation, segments, live, terms)
        return KeywordIndex(generation, tuple(segments), tuple(live), frequencies, total_length, stored, tokenizer)

    # -- disk ----------------------------------------------------------------------------------

    def save(self, index_folder: Path) -> None:
        """Write the segments not yet on disk and the commit file naming them, then remove older commit
        files, segments no commit names, other versions' builds and what killed writers left."""
        root = index_folder / FOLDER
        target = root / _commit_name(self.generation)
        (root / SEGMENTS).mkdir(parents=True, exist_ok=True)
        kept = {segment.name for segment in self.segments}
        if target.is_file():  # saved already, maybe by another process with segments of its own
            kept = set(json.loads(target.read_text(encoding="utf-8"))["segments"])
        else:
            for segment in self.segments:
                if not (root / SEGMENTS / segment.name).is_dir():
                    _write_segment(segment, root / SEGMENTS)
            deleted = [segment.chunk_ids[~live].tolist() for segment, live in zip(self.segments, self.live)]
            write_json_atomically(target, {
                "generation": self.generation, "build_version": BUILD_VERSION,
                "segments": [segment.name for segment in self.segments], "deleted": deleted,
            })
        # Only the index's writer saves (it holds write.lock), so a hidden entry here is the temporary
        # file or segment of a writer killed midway.
        for entry in (root / SEGMENTS).iterdir():
            if entry.name not in kept:
                shutil.rmtree(entry, ignore_errors=True)
        for entry in root.iterdir():
            if entry.name not in (SEGMENTS, target.name):
                shutil.rmtree(entry, ignore_errors=True) if entry.is_dir() else entry.unlink(missing_ok=True)

    @classmethod
    def load_newest(cls, index_folder: Path, *, tries: int = 3) -> "KeywordIndex":
        """The newest whole generation on disk, arrays memory-mapped; an empty index when there is none."""
        root = index_folder / FOLDER
        for generation in sorted(_commits(root), reverse=True):
            try:
                commit = json.loads((root / _commit_name(generation)).read_text(encoding="utf-8"))
                segments = [Segment.read(root / SEGMENTS / name) for name in commit["segments"]]
            except OSError:  # a writer saved a newer generation and removed this one while it was read
                return cls.load_newest(index_folder, tries=tries - 1) if tries > 1 else cls.empty()
            except (ValueError, KeyError):
                continue
            live = [~np.isin(segment.chunk_ids, deleted) for segment, deleted in zip(segments, commit["deleted"])]
            return _assembled(generation, segments, live)
        return cls.empty()


def copy_build(index_folder: Path, generation: int, chunk_ids: np.ndarray, target_folder: Path) -> bool:
    """Copy the keyword index of ``generation`` into the index folder ``target_folder`` if there is one,
    whole and of ``chunk_ids`` (ascending); else leave nothing there. Whether it was copied."""
    source, target = index_folder / FOLDER, target_folder / FOLDER
    try:
        commit = json.loads((source / _commit_name(generation)).read_text(encoding="utf-8"))
        for name in commit["segments"]:
            shutil.copytree(source / SEGMENTS / name, target / SEGMENTS / name)
        shutil.copyfile(source / _commit_name(generation), target / _commit_name(generation))
        copied = KeywordIndex.load_newest(target_folder)
    except (OSError, ValueError, KeyError):
        copied = KeywordIndex.empty()
    if copied.generation != generation or not np.array_equal(copied.chunk_ids, chunk_ids):
        shutil.rmtree(target, ignore_errors=True)
        return False
    return True


def _assembled(generation: int, segments: list[Segment], live: list[np.ndarray]) -> KeywordIndex:
    """An index of read segments: the vocabulary and the statistics of their stored chunks."""
    tokenizer = _tokenizer()
    for segment in segments:
        _extend(tokenizer, segment)
    terms = len(tokenizer.stem_to_sid)
    frequencies = np.zeros(terms, np.int64)
    total_length = stored = 0
    for segment, now in zip(segments, live):
        gone = np.flatnonzero(~now)
        frequencies += segment.document_frequencies(terms) - segment.document_frequencies(terms, gone)
        total_length += int(np.diff(segment.offsets)[now].sum())
        stored += int(now.sum())
    return KeywordIndex(generation, tuple(segments), tuple(live), frequencies, total_length, stored, tokenizer)


def _tokenized(generation: int, chunk_ids: np.ndarray, texts_of: ChunkTexts, tokenizer: Tokenizer) -> Segment:
    """A new segment of ``chunk_ids``, tokenized with ``tokenizer`` (whose vocabulary it extends)."""
    stems_before, words_before = len(tokenizer.stem_to_sid), len(tokenizer.word_to_stem)
    token_parts, length_parts = [np.zeros(0, np.int32)], [np.zeros(0, np.int64)]
    for start in range(0, len(chunk_ids), TOKENIZE_BATCH):  # to arrays batch by batch: lists of ints are big
        texts = texts_of(chunk_ids[start : start + TOKENIZE_BATCH])
        lists = tokenizer.tokenize(texts, update_vocab=True, return_as="ids", show_progress=False)
        length_parts.append(np.fromiter(map(len, lists), dtype=np.int64, count=len(lists)))
        count = int(length_parts[-1].sum())
        token_parts.append(np.fromiter((token for tokens in lists for token in tokens), dtype=np.int32, count=count))
    tokens, lengths = np.concatenate(token_parts), np.concatenate(length_parts)
    stems = tuple(list(tokenizer.stem_to_sid)[stems_before:])
    words = tuple(list(tokenizer.word_to_stem.items())[words_before:])
    return _build(_segment_name(generation), chunk_ids, tokens, lengths, len(tokenizer.stem_to_sid), stems, words)


def _build(
    name: str, chunk_ids: np.ndarray, tokens: np.ndarray, lengths: np.ndarray, terms: int,
    stems: tuple[str, ...], words: tuple[tuple[str, str], ...],
) -> Segment:
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    return Segment.build(name, chunk_ids, tokens, offsets, terms, stems, words)


def _merged(
    generation: int, segments: list[Segment], live: list[np.ndarray], terms: int
) -> tuple[list[Segment], list[np.ndarray]]:
    """Segments after merging the newest ones while each is at least 1/MERGE_RATIO of the one before it
    (or empty), and rewriting any that is more than half deleted, each without its deleted chunks."""
    def alive(i: int) -> int:
        return int(live[i].sum())

    while len(segments) > 1 and alive(-2) + alive(-1) <= MAX_MERGED and (
        alive(-1) * MERGE_RATIO >= alive(-2) or not alive(-2)
    ):
        merged = _joined(generation, segments[-2:], live[-2:], terms)
        segments[-2:], live[-2:] = [merged], [np.ones(len(merged), bool)]
    for i, segment in enumerate(segments):
        if len(segment) and alive(i) * 2 < len(segment):
            segments[i] = _joined(generation, [segment], [live[i]], terms)
            live[i] = np.ones(len(segments[i]), bool)
    return segments, live


def _joined(generation: int, segments: list[Segment], live: list[np.ndarray], terms: int) -> Segment:
    """One segment of the stored chunks of ``segments``, with their vocabulary entries."""
    parts = [segment.token_lists(np.flatnonzero(now)) for segment, now in zip(segments, live)]
    return _build(
        _segment_name(generation),
        np.concatenate([segment.chunk_ids[now] for segment, now in zip(segments, live)]),
        np.concatenate([tokens for tokens, _ in parts]), np.concatenate([lengths for _, lengths in parts]), terms,
        tuple(stem for segment in segments for stem in segment.stems),
        tuple(pair for segment in segments for pair in segment.words),
    )


def _members(ids: np.ndarray, sorted_ids: np.ndarray) -> np.ndarray:
    """Which of ``ids`` are in ``sorted_ids`` (ascending)."""
    if not len(sorted_ids):
        return np.zeros(len(ids), bool)
    places = np.minimum(np.searchsorted(sorted_ids, ids), len(sorted_ids) - 1)
    return sorted_ids[places] == ids


def _query_stems(query: str) -> list[str]:
    # Stems through a throwaway tokenizer that shares nothing mutable with the index's vocabulary.
    return _tokenizer().tokenize([query], update_vocab=True, return_as="string", show_progress=False)[0]


def _extend(tokenizer: Tokenizer, segment: Segment) -> None:
    """Add the vocabulary entries ``segment`` made, in their order (ids are places in that order)."""
    for stem in segment.stems:
        tokenizer.stem_to_sid[stem] = len(tokenizer.stem_to_sid)
    for word, stem in segment.words:
        tokenizer.word_to_stem[word] = stem
        tokenizer.word_to_id[word] = tokenizer.stem_to_sid[stem]


def _copy(tokenizer: Tokenizer) -> Tokenizer:
    copied = _tokenizer()
    copied.word_to_stem = dict(tokenizer.word_to_stem)
    copied.stem_to_sid = dict(tokenizer.stem_to_sid)
    copied.word_to_id = dict(tokenizer.word_to_id)
    return copied


def _write_segment(segment: Segment, folder: Path) -> None:
    temp = Path(tempfile.mkdtemp(prefix=f".{segment.name}.", dir=folder))
    try:
        segment.write(temp)
        temp.chmod(0o755)
        os.rename(temp, folder / segment.name)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise


def _segment_name(generation: int) -> str:
    return f"{generation}-{secrets.token_hex(4)}"


def _commit_name(generation: int) -> str:
    return f"{generation}-v{BUILD_VERSION}.json"


def _commits(root: Path) -> list[int]:
    """Generations of the commit files of this version in ``root``."""
    if not root.is_dir():
        return []
    suffix = f"-v{BUILD_VERSION}.json"
    names = (entry.name for entry in root.iterdir() if entry.is_file())
    return [int(name.removesuffix(suffix)) for name in names if name.endswith(suffix) and name.removesuffix(suffix).isdigit()]
