"""Wire stories: near-copies of one story (the same agency text in several outlets, updated versions)
grouped in meta.sqlite, so that a search shows a story once and quotes are not counted twice.

An article's *signature* is a MinHash (datasketch) of its 7-word shingles, kept as plain uint32 bytes.
Locality-sensitive hashing finds the stored articles that may be near-copies: the signature cut into
BANDS bands of ROWS values, each band hashed to one key in story_bands; two articles sharing a key are
candidates. A candidate whose estimated Jaccard similarity comes close to THRESHOLD is then checked on
the exact shingles of both texts, and linked (story_links) when its Jaccard similarity reaches THRESHOLD.
A story is a connected group of links; ``stories`` names each grouped article's story by the smallest
article id in it (an article alone there is its own story and has no row). Everything here runs inside
the transaction of the commit that stores or deletes the articles (Database.commit), so the grouping
always matches the articles stored. BENCHMARKS.md has the threshold's choice and its precision.
"""

from __future__ import annotations

import hashlib
import importlib
import re
import sqlite3
import sys
import threading
from typing import TYPE_CHECKING, Iterable, Sequence

import numpy as np

from qa.store.sql import batches, marks

if TYPE_CHECKING:
    from qa.store.article_rows import NewArticle
    from qa.store.database import Database

VERSION = 2  # of the shingles, signatures and threshold below: another version regroups every article
SHINGLE_WORDS = 7
PERMUTATIONS = 128
BANDS, ROWS = 32, 4  # a pair at Jaccard 0.6 shares a band with probability 1 - (1 - 0.6**4)**32 > 0.988
# Exact Jaccard of the shingles. BENCHMARKS.md: on the labelled pairs, 7-word shingles at 0.6 find 11 same-story
# pairs of 26 at precision 1.0 (5-word ones at 0.7 found 9); the highest pair that is not one story scores 0.584.
THRESHOLD = 0.6
ESTIMATE_MARGIN = 0.15  # candidates whose MinHash estimate is this far below THRESHOLD are not read

SCHEMA = """
CREATE TABLE IF NOT EXISTS story_signatures (
    article_id TEXT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    signature BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS story_bands (
    key INTEGER NOT NULL,
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS story_bands_by_key ON story_bands (key);
CREATE INDEX IF NOT EXISTS story_bands_by_article ON story_bands (article_id);
CREATE TABLE IF NOT EXISTS story_links (
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    other_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    similarity REAL NOT NULL,
    PRIMARY KEY (article_id, other_id)
);
CREATE INDEX IF NOT EXISTS story_links_by_other ON story_links (other_id);
CREATE TABLE IF NOT EXISTS stories (
    article_id TEXT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    story TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS stories_by_story ON stories (story);
"""

_WORD = re.compile(r"\w+")


def shingles(text: str) -> set[bytes]:
    """The text's runs of SHINGLE_WORDS words, case ignored (a shorter text is one shingle)."""
    words = _WORD.findall(text.casefold())
    return {" ".join(words[i : i + SHINGLE_WORDS]).encode() for i in range(max(1, len(words) - SHINGLE_WORDS + 1))}


def preload() -> None:
    """Start importing datasketch in the background: with scipy it takes 2–6 s (on a busy machine),
    which an ingest would otherwise wait for before its first signature, while it can overlap with the
    first embedding (the model releases the GIL). A signature asked for meanwhile waits on Python's import lock."""
    if "datasketch" in sys.modules:  # imported, or being imported
        return
    threading.Thread(target=importlib.import_module, args=("datasketch",), name="qa-datasketch", daemon=True).start()


def signature(text: str) -> np.ndarray | None:
    """The MinHash signature of the text's shingles (uint32), or None for a text without words."""
    from datasketch import MinHash

    found = shingles(text)
    if found == {b""}:
        return None
    minhash = MinHash(num_perm=PERMUTATIONS)
    minhash.update_batch(list(found))
    return np.asarray(minhash.hashvalues, dtype=np.uint32)


def band_keys(signature: np.ndarray) -> list[int]:
    """One 64-bit key per band (the band's place in it, so equal values in different bands differ)."""
    rows = np.asarray(signature, dtype=np.uint32).reshape(BANDS, ROWS)
    return [
        int.from_bytes(
            hashlib.blake2b(band.tobytes(), digest_size=8, person=bytes([place])).digest(), "little", signed=True
        )
        for place, band in enumerate(rows)
    ]


def jaccard(one: set[bytes], other: set[bytes]) -> float:
    return len(one & other) / len(one | other) if one or other else 0.0


# -- reads ---------------------------------------------------------------------------------------


def stories_of(db: sqlite3.Connection, article_ids: Sequence[str]) -> dict[str, str]:
    """The story of each given article that shares one with another; the others are their own story."""
    found: dict[str, str] = {}
    for part in batches(list(article_ids)):
        found.update(db.execute(f"SELECT article_id, story FROM stories WHERE article_id IN ({marks(part)})", part))
    return found


def members(db: sqlite3.Connection, story_ids: Sequence[str], where: str = "1", params: Sequence = ()) -> list[tuple]:
    """(story, article id, source, url, published) of the articles of these stories that ``where`` (a
    clause on articles ``a``) allows, newest first."""
    rows: list[tuple] = []
    for part in batches(list(story_ids)):
        rows += db.execute(
            "SELECT s.story, a.id, a.source, a.url, a.published FROM stories s JOIN articles a ON a.id = s.article_id "
            f"WHERE s.story IN ({marks(part)}) AND {where}",
            [*part, *params],
        ).fetchall()
    rows.sort(key=lambda row: row[1])
    rows.sort(key=lambda row: row[4], reverse=True)  # stable: newest first, undated last, then by id
    return rows


def groups(db: sqlite3.Connection) -> dict[str, list[str]]:
    """Every story with more than one stored copy: its article ids, by story."""
    found: dict[str, list[str]] = {}
    for article_id, story in db.execute("SELECT article_id, story FROM stories ORDER BY story, article_id"):
        found.setdefault(story, []).append(article_id)
    return found


def counts(db: sqlite3.Connection) -> dict[str, int]:
    row = db.execute("SELECT count(DISTINCT story), count(*) FROM stories").fetchone()
    return {"stories_grouped": row[0], "articles_grouped": row[1]}


# -- writes (inside the caller's transaction) ------------------------------------------------------


def touched(db: sqlite3.Connection, article_ids: Sequence[str]) -> set[str]:
    """The stories of articles about to be deleted or replaced, to regroup once they are gone."""
    return set(stories_of(db, article_ids).values())


def record(db: sqlite3.Connection, new: Sequence[NewArticle], regroup: Iterable[str]) -> None:
    """After a commit's deletes and inserts: split the stories in ``regroup`` that lost a member, then
    link each new article to its stored near-copies (earlier new ones included)."""
    for story in regroup:
        _regroup(db, story)
    for item in new:
        if item.signature is not None:
            add(db, item.article.id, item.article.text, item.signature)


def add(db: sqlite3.Connection, article_id: str, text: str, signature: np.ndarray) -> None:
    """Store the article's signature and bands, link it to its near-copies and merge their stories."""
    keys = band_keys(signature)
    candidates = set()
    for part in batches(keys):
        candidates.update(row[0] for row in db.execute(
            f"SELECT DISTINCT article_id FROM story_bands WHERE key IN ({marks(part)})", part
        ))
    db.execute("INSERT INTO story_signatures VALUES (?, ?)", (article_id, np.asarray(signature, np.uint32).tobytes()))
    db.executemany("INSERT INTO story_bands VALUES (?, ?)", [(key, article_id) for key in keys])
    linked = _near_copies(db, text, signature, sorted(candidates - {article_id}))
    if not linked:
        return
    db.executemany(
        "INSERT OR REPLACE INTO story_links VALUES (?, ?, ?)", [(article_id, other, s) for other, s in linked]
    )
    others = [other for other, _ in linked]
    stories = set(stories_of(db, others).values()) | set(others)
    grouped = {article_id, *others}
    for part in batches(sorted(stories)):
        rows = db.execute(f"SELECT article_id FROM stories WHERE story IN ({marks(part)})", part)
        grouped.update(row[0] for row in rows)
    _name(db, grouped)


def backfill(
    database: Database, found: Sequence[tuple[str, str, np.ndarray | None]], state: dict[str, int], *, restart: bool
) -> None:
    """For each (article id, text hash, signature) of an article stored without one, group it as if it
    were just added, if it is still stored with that text; then set ``state``, all in one transaction
    (after forgetting every grouping, with ``restart``)."""
    with database._transaction() as db:
        if restart:
            for table in ("stories", "story_links", "story_bands", "story_signatures"):
                db.execute(f"DELETE FROM {table}")
        for article_id, text_hash, signature in found:
            row = db.execute(
                "SELECT text FROM articles WHERE id = ? AND text_hash = ? "
                "AND id NOT IN (SELECT article_id FROM story_signatures)",
                (article_id, text_hash),
            ).fetchone()
            if row is not None and signature is not None:
                add(db, article_id, row[0], signature)
        db.executemany(
            "INSERT INTO state VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            list(state.items()),
        )


def _near_copies(
    db: sqlite3.Connection, text: str, signature: np.ndarray, candidates: Sequence[str]
) -> list[tuple[str, float]]:
    """(article id, exact Jaccard) of the candidates at THRESHOLD or above."""
    stored: list[tuple[str, bytes]] = []
    for part in batches(list(candidates)):
        stored += db.execute(
            f"SELECT article_id, signature FROM story_signatures WHERE article_id IN ({marks(part)})", part
        ).fetchall()
    likely = likely_copies(signature, ((other, np.frombuffer(blob, np.uint32)) for other, blob in stored))
    texts: list[tuple[str, str]] = []
    for part in batches(likely):
        texts += db.execute(f"SELECT id, text FROM articles WHERE id IN ({marks(part)})", part).fetchall()
    return near_copies(text, texts)


def likely_copies(signature: np.ndarray, stored: Iterable[tuple[str, np.ndarray]]) -> list[str]:
    """Those of (article id, signature) whose MinHash estimate comes close enough to THRESHOLD to be read."""
    return [
        other for other, theirs in stored
        if float(np.mean(np.asarray(theirs, np.uint32) == signature)) >= THRESHOLD - ESTIMATE_MARGIN
    ]


def near_copies(text: str, others: Iterable[tuple[str, str]]) -> list[tuple[str, float]]:
    """(article id, exact Jaccard of the shingles) of those of (article id, text) at THRESHOLD or above."""
    mine, found = shingles(text), []
    for other, other_text in others:
        similarity = jaccard(mine, shingles(other_text))
        if similarity >= THRESHOLD:
            found.append((other, similarity))
    return found


def _regroup(db: sqlite3.Connection, story: str) -> None:
    """Split what is left of a story that lost members into its connected groups of links."""
    left = [row[0] for row in db.execute("SELECT article_id FROM stories WHERE story = ?", (story,))]
    neighbours: dict[str, set[str]] = {article: set() for article in left}
    for part in batches(left):
        part_marks = marks(part)
        for one, other in db.execute(
            "SELECT article_id, other_id FROM story_links "
            f"WHERE article_id IN ({part_marks}) OR other_id IN ({part_marks})",
            part + part,
        ):
            if one in neighbours and other in neighbours:
                neighbours[one].add(other)
                neighbours[other].add(one)
    for group in connected(neighbours):
        _name(db, group)


def connected(neighbours: dict[str, set[str]]) -> list[set[str]]:
    """The connected groups of a graph given as each node's neighbours (all of them nodes)."""
    groups, unseen = [], set(neighbours)
    while unseen:
        group, frontier = set(), [unseen.pop()]
        while frontier:
            article = frontier.pop()
            group.add(article)
            frontier += [other for other in neighbours[article] if other in unseen]
            unseen -= neighbours[article]
        groups.append(group)
    return groups


def _name(db: sqlite3.Connection, group: set[str]) -> None:
    """Name the group's story after its smallest article id; an article left alone has no row."""
    if len(group) < 2:
        db.executemany("DELETE FROM stories WHERE article_id = ?", [(article,) for article in group])
        return
    story = min(group)
    db.executemany(
        "INSERT INTO stories VALUES (?, ?) ON CONFLICT (article_id) DO UPDATE SET story = excluded.story",
        [(article, story) for article in sorted(group)],
    )

