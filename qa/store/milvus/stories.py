"""Wire stories on Milvus: the local store's grouping (qa/store/stories.py: MinHash signatures, LSH band
keys, links between near-copies whose exact shingle Jaccard reaches THRESHOLD, a story named after its
smallest article id) kept in the collections STORIES (an article's signature and story), BANDS and LINKS,
so that a `qa serve` replica over Milvus groups with no local files.

Milvus has no transaction: these run under the store's write lock (milvus/lease.py), in the commit's order
(MilvusStore.commit): forget every article deleted or written again, regroup the stories they leave, then
add each new article. A commit run again after a crash forgets and adds the same articles, which repairs
what the crash left half written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np

from qa.store import stories
from qa.store.milvus import queries, rows, schema

if TYPE_CHECKING:
    from pymilvus import MilvusClient

TextsOf = Callable[[Sequence[str]], dict[str, str]]  # the stored (or being stored) texts of some article ids
EVERY_ROW = 'article_id != ""'
GROUPED = "grouped == true"
ROWS_PER_STORY = 64  # a guess at the copies of one story, to size its queries (queries.by_values pages past it)


class MilvusStories:
    def __init__(self, client: MilvusClient, collection: str) -> None:
        self._client, self._collection = client, collection

    def _name(self, kind: str) -> str:
        return schema.name(self._collection, kind)

    # -- reads ---------------------------------------------------------------------------------

    def stories_of(self, article_ids: Sequence[str]) -> dict[str, str]:
        """The story of each given article that shares one with another (as stories.stories_of)."""
        found = queries.by_values(
            self._client, self._name(schema.STORIES), "article_id", article_ids, ["article_id", "story"], GROUPED
        )
        return {row["article_id"]: row["story"] for row in found}

    def members(self, story_ids: Sequence[str]) -> dict[str, str]:
        """The story of every article in the given stories, by article id."""
        found = queries.by_values(
            self._client, self._name(schema.STORIES), "story", story_ids, ["article_id", "story"], GROUPED,
            rows_per_value=ROWS_PER_STORY,
        )
        return {row["article_id"]: row["story"] for row in found}

    def counts(self) -> dict[str, int]:
        found = [row["story"] for row in queries.every(self._client, self._name(schema.STORIES), GROUPED, ["story"])]
        return {"stories_grouped": len(set(found)), "articles_grouped": len(found)}

    def signed(self, article_ids: Sequence[str]) -> set[str]:
        """Those of the articles that have a signature stored."""
        found = queries.by_values(self._client, self._name(schema.STORIES), "article_id", article_ids, ["article_id"])
        return {row["article_id"] for row in found}

    # -- writes --------------------------------------------------------------------------------

    def forget(self, article_ids: Sequence[str]) -> set[str]:
        """Drop the articles' signatures, bands and links; returns the stories they were in, to regroup."""
        touched = set(self.stories_of(article_ids).values())
        for begin in range(0, len(article_ids), queries.VALUES_PER_QUERY):
            part = list(article_ids[begin : begin + queries.VALUES_PER_QUERY])
            self._client.delete(self._name(schema.STORIES), filter=rows.one_of("article_id", part))
            self._client.delete(self._name(schema.BANDS), filter=rows.one_of("article_id", part))
            self._client.delete(
                self._name(schema.LINKS), filter=f"{rows.one_of('article_id', part)} or {rows.one_of('other_id', part)}"
            )
        return touched

    def regroup(self, story: str) -> None:
        """Split what is left of a story that lost members into its connected groups of links."""
        left = list(self.members([story]))
        neighbours: dict[str, set[str]] = {article: set() for article in left}
        for begin in range(0, len(left), queries.VALUES_PER_QUERY):
            part = left[begin : begin + queries.VALUES_PER_QUERY]
            expression = f"{rows.one_of('article_id', part)} or {rows.one_of('other_id', part)}"
            for link in queries.every(self._client, self._name(schema.LINKS), expression, ["article_id", "other_id"]):
                one, other = link["article_id"], link["other_id"]
                if one in neighbours and other in neighbours:
                    neighbours[one].add(other)
                    neighbours[other].add(one)
        for group in stories.connected(neighbours):
            self._name_story(group)

    def add(self, article_id: str, text: str, signature: np.ndarray, texts_of: TextsOf) -> None:
        """Store the article's signature and bands, link it to its near-copies and merge their stories."""
        keys = stories.band_keys(signature)
        candidates = {
            row["article_id"] for row in queries.by_values(
                self._client, self._name(schema.BANDS), "key", keys, ["article_id"], rows_per_value=ROWS_PER_STORY
            )
        } - {article_id}
        self._client.upsert(self._name(schema.STORIES), [_story_row(article_id, signature, article_id, grouped=False)])
        self._client.upsert(self._name(schema.BANDS), [
            {"id": rows.row_id(article_id, place), "no_vector": schema.NO_VECTOR, "key": key, "article_id": article_id}
            for place, key in enumerate(keys)
        ])
        stored = queries.by_values(
            self._client, self._name(schema.STORIES), "article_id", sorted(candidates), ["article_id", "signature"]
        )
        likely = stories.likely_copies(signature, ((row["article_id"], _signature(row)) for row in stored))
        linked = stories.near_copies(text, texts_of(likely).items()) if likely else []
        if not linked:
            return
        self._client.upsert(self._name(schema.LINKS), [
            {"id": rows.row_id(article_id, other), "no_vector": schema.NO_VECTOR, "article_id": article_id,
             "other_id": other, "similarity": similarity}
            for other, similarity in linked
        ])
        others = [other for other, _ in linked]
        grouped = {article_id, *others, *self.members(sorted(set(self.stories_of(others).values()) | set(others)))}
        self._name_story(grouped)

    def clear(self) -> None:
        """Forget every grouping (a regrouping from the start)."""
        for kind in (schema.STORIES, schema.BANDS, schema.LINKS):
            self._client.delete(self._name(kind), filter=EVERY_ROW)

    def _name_story(self, group: set[str]) -> None:
        """Name the group's story after its smallest article id; an article left alone is its own story."""
        found = queries.by_values(
            self._client, self._name(schema.STORIES), "article_id", sorted(group), ["article_id", "signature"]
        )
        story, grouped = min(group), len(group) > 1
        self._client.upsert(self._name(schema.STORIES), [
            _story_row(row["article_id"], _signature(row), story if grouped else row["article_id"], grouped=grouped)
            for row in found
        ])


def texts_within(batch: dict[str, str], stored: TextsOf) -> TextsOf:
    """Texts from ``batch`` (the articles of the commit under way), else from the store."""

    def texts_of(article_ids: Sequence[str]) -> dict[str, str]:
        found = {article: batch[article] for article in article_ids if article in batch}
        return found | stored([article for article in article_ids if article not in batch])

    return texts_of


def _story_row(article_id: str, signature: np.ndarray, story: str, *, grouped: bool) -> dict:
    return {
        "article_id": article_id, "no_vector": schema.NO_VECTOR,
        "signature": np.asarray(signature, np.uint32).tobytes().hex(), "story": story, "grouped": grouped,
    }


def _signature(row: dict) -> np.ndarray:
    return np.frombuffer(bytes.fromhex(row["signature"]), np.uint32)
