"""The BM25 side of an index: bm25s over each chunk's headline and text. The only module that imports
bm25s and PyStemmer.

bm25s keeps BM25 scores precomputed in a sparse matrix, so a query costs a few column sums: 1.6 ms p50
over the 37,796 RealTimeQA chunks, where SQLite FTS5 scored every matching row (37 ms; BENCHMARKS.md).
Its matrix cannot grow in place, so it is rebuilt when the stored chunks change. Each chunk's stemmed
token ids are kept beside it, so a rebuild tokenizes only the chunks that are new.

On disk, keywords/<generation>-v<build version>/ holds one build: token ids as .npy arrays, the tokenizer's vocabulary
and bm25s's own files (JSON and .npy; no pickle). A build is written under a temporary name and
renamed into place, so a reader finds a whole build or none; older builds are removed after it.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import bm25s
import numpy as np
import Stemmer
from bm25s.tokenization import Tokenizer

FOLDER = "keywords"
# bm25s's default splitter drops one-character words, and with them the 5 of "Article 5".
SPLITTER = r"(?u)\b\w+\b"
# Anserini's defaults: less length normalisation than bm25s's (1.5, 0.75) suits chunks, which are cut
# to a token budget and so are much alike in length. BENCHMARKS.md has the values tried.
K1, B = 0.9, 0.4
BUILD_VERSION = 2  # bump when tokenization or BM25 parameters change: older builds are then made anew

ChunkTexts = Callable[[np.ndarray], list[str]]  # the indexed text (headline and passage) of chunk ids


def _tokenizer() -> Tokenizer:
    return Tokenizer(splitter=SPLITTER, stopwords="en", stemmer=Stemmer.Stemmer("english"))


@dataclass(frozen=True)
class KeywordIndex:
    """BM25 over a fixed set of chunks, as of one SQLite generation. Never changed after it is made:
    a change of the chunks makes a new one (``synced``), so searches in flight keep a consistent one."""

    generation: int
    chunk_ids: np.ndarray  # row i of the BM25 matrix is chunk_ids[i]
    tokens: np.ndarray  # every chunk's token ids, one after another
    offsets: np.ndarray  # chunk i's tokens are tokens[offsets[i]:offsets[i + 1]]
    # The vocabulary that tokenizes new chunks: for syncing only, so a build read from disk leaves it
    # there (tens of MB) until then; searches look stems up in the retriever's own vocabulary.
    tokenizer: Tokenizer | None
    retriever: bm25s.BM25 | None  # None when there are no chunks
    folder: Path | None = None  # where a build read from disk lies

    @classmethod
    def empty(cls) -> "KeywordIndex":
        return cls(-1, np.zeros(0, np.int64), np.zeros(0, np.int32), np.zeros(1, np.int64), _tokenizer(), None)

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(chunk id, BM25 score) of the best ``k`` chunks that hold a query term, best first; only
        chunks in ``allowed`` (sorted ids) when it is given."""
        if self.retriever is None:
            return []
        known = self.retriever.vocab_dict
        query_ids = sorted({known[stem] for stem in self._query_stems(query) if stem and stem in known})
        if not query_ids:
            return []
        mask = None if allowed is None else np.isin(self.chunk_ids, allowed, assume_unique=True).astype(np.float32)
        scores = self.retriever.get_scores(query_ids, weight_mask=mask)
        matching = np.flatnonzero(scores > 0)
        if len(matching) > k:
            matching = matching[np.argpartition(-scores[matching], k - 1)[:k]]
        best = matching[np.argsort(-scores[matching], kind="stable")]
        return [(int(self.chunk_ids[row]), float(scores[row])) for row in best]

    def _query_stems(self, query: str) -> list[str]:
        # Stems through a throwaway tokenizer that shares nothing mutable with this index's vocabulary.
        return _tokenizer().tokenize([query], update_vocab=True, return_as="string", show_progress=False)[0]

    def synced(self, generation: int, stored_ids: np.ndarray, texts_of: ChunkTexts) -> "KeywordIndex":
        """This index brought up to ``stored_ids``, the chunks stored at ``generation``:
        removed chunks dropped, new ones tokenized, the BM25 matrix rebuilt."""
        if generation == self.generation:
            return self
        kept = np.isin(self.chunk_ids, stored_ids, assume_unique=True)
        new_ids = np.setdiff1d(stored_ids, self.chunk_ids, assume_unique=True)
        try:
            tokenizer = _copy(self.tokenizer) if self.tokenizer is not None else self._vocabulary_on_disk()
        except OSError:  # another process saved a newer build and removed this one's files: start afresh
            return KeywordIndex.empty().synced(generation, stored_ids, texts_of)
        new_lists: list[list[int]] = []
        for start in range(0, len(new_ids), 4096):
            texts = texts_of(new_ids[start : start + 4096])
            new_lists += tokenizer.tokenize(texts, update_vocab=True, return_as="ids", show_progress=False)
        lengths = np.diff(self.offsets)
        new_lengths = np.fromiter(map(len, new_lists), dtype=np.int64, count=len(new_lists))
        new_tokens = np.fromiter(itertools.chain.from_iterable(new_lists), dtype=np.int32, count=int(new_lengths.sum()))
        ids = np.concatenate([self.chunk_ids[kept], new_ids])
        tokens = np.concatenate([self.tokens[np.repeat(kept, lengths)], new_tokens])
        lengths = np.concatenate([lengths[kept], new_lengths])
        return _build(generation, ids, tokens, lengths, tokenizer)

    # -- disk ----------------------------------------------------------------------------------

    def _vocabulary_on_disk(self) -> Tokenizer:
        tokenizer = _tokenizer()
        if self.folder is not None:
            tokenizer.load_vocab(str(self.folder))
        return tokenizer

    def save(self, index_folder: Path) -> None:
        """Write this build to keywords/ unless it is there, then drop older builds, other versions' builds
        and the unfinished builds of killed writers."""
        root = index_folder / FOLDER
        target = root / _build_name(self.generation)
        root.mkdir(exist_ok=True)
        if not target.is_dir():
            temp = Path(tempfile.mkdtemp(prefix=f".{self.generation}.", dir=root))
            try:
                self._write(temp)
                temp.chmod(0o755)
                os.rename(temp, target)
            except OSError:
                shutil.rmtree(temp, ignore_errors=True)
                if not target.is_dir():  # not a race with another process saving the same build
                    raise
        # Only the index's writer saves (it holds write.lock), so a hidden folder here is the temporary
        # build of a writer killed midway, and goes with the older builds.
        kept = {_build_name(generation) for generation in _builds(root) if generation >= self.generation}
        for entry in root.iterdir():
            if entry.is_dir() and entry.name not in kept:
                shutil.rmtree(entry, ignore_errors=True)

    def _write(self, folder: Path) -> None:
        np.save(folder / "chunk_ids.npy", self.chunk_ids)
        np.save(folder / "tokens.npy", self.tokens)
        np.save(folder / "offsets.npy", self.offsets)
        (self.tokenizer if self.tokenizer is not None else self._vocabulary_on_disk()).save_vocab(str(folder))
        if self.retriever is not None:
            self.retriever.save(str(folder / "bm25"))
        info = {"generation": self.generation, "build_version": BUILD_VERSION, "chunks": len(self.chunk_ids)}
        (folder / "build.json").write_text(json.dumps(info) + "\n", encoding="utf-8")

    @classmethod
    def load_newest(cls, index_folder: Path, *, tries: int = 3) -> "KeywordIndex":
        """The newest whole build on disk, arrays memory-mapped; an empty index when there is none usable."""
        root = index_folder / FOLDER
        for generation in sorted(_builds(root), reverse=True):
            folder = root / _build_name(generation)
            if not (folder / "build.json").is_file():  # written last: a build without it is not whole
                continue
            try:
                chunk_ids = np.load(folder / "chunk_ids.npy", mmap_mode="r")
                retriever = bm25s.BM25.load(str(folder / "bm25"), mmap=True) if len(chunk_ids) else None
                return cls(
                    generation, chunk_ids, np.load(folder / "tokens.npy", mmap_mode="r"),
                    np.load(folder / "offsets.npy", mmap_mode="r"), None, retriever, folder,
                )
            except OSError:  # a writer saved a newer build and removed this one while it was read
                return cls.load_newest(index_folder, tries=tries - 1) if tries > 1 else cls.empty()
        return cls.empty()


def copy_build(index_folder: Path, generation: int, chunk_ids: np.ndarray, target_folder: Path) -> bool:
    """Copy the build of ``generation`` into the index folder ``target_folder`` if there is one, whole and
    of ``chunk_ids`` (ascending); else leave nothing there. Whether it was copied."""
    target = target_folder / FOLDER / _build_name(generation)
    try:
        shutil.copytree(index_folder / FOLDER / _build_name(generation), target)
        copied = KeywordIndex.load_newest(target_folder)
        # A newer save removes older builds, maybe while one is copied: every part must have come along.
        copied._vocabulary_on_disk()
    except (OSError, ValueError):
        copied = KeywordIndex.empty()
    if copied.generation != generation or not np.array_equal(np.sort(copied.chunk_ids), chunk_ids):
        shutil.rmtree(target_folder / FOLDER, ignore_errors=True)
        return False
    return True


def _build(
    generation: int, chunk_ids: np.ndarray, tokens: np.ndarray, lengths: np.ndarray, tokenizer: Tokenizer
) -> KeywordIndex:
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    token_lists = [part.tolist() for part in np.split(tokens, offsets[1:-1])] if len(chunk_ids) else []
    retriever = None
    if token_lists:
        retriever = bm25s.BM25(k1=K1, b=B)
        # A copy: bm25s adds its empty-document token to the vocabulary it is given.
        retriever.index((token_lists, dict(tokenizer.get_vocab_dict())), show_progress=False)
    return KeywordIndex(generation, chunk_ids.astype(np.int64), tokens.astype(np.int32), offsets, tokenizer, retriever)


def _copy(tokenizer: Tokenizer) -> Tokenizer:
    copied = _tokenizer()
    copied.word_to_stem = dict(tokenizer.word_to_stem)
    copied.stem_to_sid = dict(tokenizer.stem_to_sid)
    copied.word_to_id = dict(tokenizer.word_to_id)
    return copied


def _build_name(generation: int) -> str:
    return f"{generation}-v{BUILD_VERSION}"


def _builds(root: Path) -> list[int]:
    """Generations of the builds of this version in ``root``."""
    if not root.is_dir():
        return []
    suffix = f"-v{BUILD_VERSION}"
    names = (entry.name for entry in root.iterdir() if entry.is_dir())
    return [int(name.removesuffix(suffix)) for name in names if name.endswith(suffix) and name.removesuffix(suffix).isdigit()]
