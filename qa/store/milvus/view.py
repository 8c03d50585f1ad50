"""What one search reads from a Milvus store (qa.store.protocol.SearchView).

Unlike the local store's view this is no snapshot: a write acknowledged between two of its reads is seen
by the second (hits drops passages whose article is gone meanwhile; docs/scale-out.md says what else)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Sequence

import numpy as np

from qa.store.chunk_table import ChunkFacts
from qa.store.milvus import queries, rows, schema
from qa.store.milvus.stories import MilvusStories
from qa.store.milvus.terms import query_terms
from qa.types import Article, Filters, Hit, StoryCopy, page_at

if TYPE_CHECKING:
    from pymilvus import MilvusClient

FACT_FIELDS = ["article_id", "place", "published"]
HIT_FIELDS = ["id", "article_id", "start", "end", "text", "text_hash"]
HNSW_SEARCH_BREADTH = 128  # ef: candidates HNSW keeps while it walks (at least k)


class MilvusView:
    def __init__(self, client: MilvusClient, collection: str) -> None:
        self._client, self._collection = client, collection
        self._stories = MilvusStories(client, collection)
        self._facts: dict[int, ChunkFacts] = {}  # of the chunks its searches returned

    def _name(self, kind: str) -> str:
        return schema.name(self._collection, kind)

    def nearest(self, query: np.ndarray, k: int, filters: Filters = Filters()) -> list[tuple[int, float]]:
        """(chunk id, inner product = cosine of unit vectors) of the k nearest chunks, best first."""
        params = {"metric_type": "IP", "params": {"ef": max(k, HNSW_SEARCH_BREADTH)}}
        return self._search([np.asarray(query, np.float32).ravel().tolist()], "vector", params, k, filters)

    def keyword_search(self, query: str, k: int, filters: Filters = Filters()) -> list[tuple[int, float]]:
        """(chunk id, BM25 score) of the k best chunks, best first, by the server-side BM25 function.
        milvus-lite reports BM25 scores negated (a Milvus server positive); both list the best first, so
        the score returned is its magnitude."""
        words = query_terms(query)
        if not words:
            return []
        found = self._search([words], "sparse", {"metric_type": "BM25"}, k, filters)
        return [(chunk, abs(score)) for chunk, score in found]

    def _search(self, data: list, field: str, params: dict, k: int, filters: Filters) -> list[tuple[int, float]]:
        results = self._client.search(
            self._name(schema.PASSAGES), data=data, anns_field=field, limit=k, search_params=params,
            filter=rows.filter_expression(filters), output_fields=FACT_FIELDS,
        )
        found = []
        for hit in results[0] if results else ():
            entity = hit["entity"]
            self._facts[int(hit["id"])] = ChunkFacts(entity["article_id"], int(entity["place"]), entity["published"])
            found.append((int(hit["id"]), float(hit["distance"])))
        return found

    def chunk_facts(self, chunk_ids: Sequence[int]) -> dict[int, ChunkFacts]:
        missing = [int(chunk) for chunk in chunk_ids if chunk not in self._facts]
        for row in queries.by_values(self._client, self._name(schema.PASSAGES), "id", missing, ["id", *FACT_FIELDS]):
            self._facts[int(row["id"])] = ChunkFacts(row["article_id"], int(row["place"]), row["published"])
        return {chunk: self._facts[chunk] for chunk in chunk_ids if chunk in self._facts}

    def hits(self, scored: Sequence[tuple[int, float]]) -> list[Hit]:
        """Hits for (chunk id, score) pairs, in the given order; chunks or articles no longer stored are dropped,
        and so is a passage of another version of its article than the stored article row (a replace under
        way: the passages are written before the article row), so that no hit mixes two versions."""
        passages = {
            int(row["id"]): row for row in queries.by_values(
                self._client, self._name(schema.PASSAGES), "id", [chunk for chunk, _ in scored], HIT_FIELDS
            )
        }
        articles = {
            row["id"]: row for row in queries.by_values(
                self._client, self._name(schema.ARTICLES), "id", sorted({row["article_id"] for row in passages.values()}),
                ["id", "title", "url", "published", "source", "authors", "pages", "text_hash"],
            )
        }
        hits = []
        for chunk, score in scored:
            passage = passages.get(chunk)
            article = articles.get(passage["article_id"]) if passage else None
            if article is None or article["text_hash"] != passage["text_hash"]:
                continue
            pages = tuple(json.loads(article["pages"]))
            hits.append(Hit(
                article_id=passage["article_id"], text=passage["text"],
                start=passage["start"], end=passage["end"], score=float(score), title=article["title"],
                url=article["url"], published=article["published"], source=article["source"],
                authors=tuple(json.loads(article["authors"])), page=page_at(pages, passage["start"]),
            ))
        return hits

    def stories_of(self, article_ids: Sequence[str]) -> dict[str, str]:
        """The story of each given article that has stored near-copies (the others are their own)."""
        return self._stories.stories_of(article_ids)

    def copies(self, article_ids: Sequence[str], filters: Filters = Filters()) -> dict[str, tuple[StoryCopy, ...]]:
        """The other stored copies of each given article's story that ``filters`` allows, newest first."""
        story = self.stories_of(article_ids)
        member_of = self._stories.members(sorted(set(story.values())))
        found = queries.by_values(
            self._client, self._name(schema.ARTICLES), "id", sorted(member_of), ["id", "source", "url", "published"],
            rows.filter_expression(filters),
        )
        found.sort(key=lambda row: row["id"])
        found.sort(key=lambda row: row["published"], reverse=True)  # stable: newest first, undated last, then by id
        by_story: dict[str, list[StoryCopy]] = {}
        for row in found:
            by_story.setdefault(member_of[row["id"]], []).append(
                StoryCopy(row["id"], row["source"], row["url"], row["published"])
            )
        return {
            article: tuple(copy for copy in by_story.get(key, ()) if copy.article_id != article)
            for article, key in story.items()
        }

    def chunk_ids_matching(self, filters: Filters) -> np.ndarray:
        found = queries.every(self._client, self._name(schema.PASSAGES), rows.filter_expression(filters), ["id"])
        return np.sort(np.fromiter((int(row["id"]) for row in found), dtype=np.int64))

    def vectors_of(self, chunk_ids: np.ndarray) -> np.ndarray:
        ids = [int(chunk) for chunk in chunk_ids]
        found = {
            int(row["id"]): row["vector"]
            for row in queries.by_values(self._client, self._name(schema.PASSAGES), "id", ids, ["id", "vector"])
        }
        return np.array([found[chunk] for chunk in ids], np.float32).reshape(len(ids), -1)


def article_of(row: dict, text: str) -> Article:
    return Article(
        row["id"], text, row["title"], row["url"], row["published"], authors=tuple(json.loads(row["authors"])),
        source=row["source"], origin=row["origin"], pages=tuple(json.loads(row["pages"])),
    )
