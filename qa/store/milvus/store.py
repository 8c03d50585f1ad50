"""MilvusStore: the store (qa.store.protocol.StoreBackend) kept in the collections of one Milvus server or
cluster, so that any number of `qa serve` replicas read it with no local files.

Milvus has no transaction across collections, so a commit writes in an order a reader tolerates and a
re-run repairs: the story grouping of what it deletes and writes first (milvus/stories.py), then an
article's passages, text, quotes and people, its row in the articles collection (which makes it stored:
known_hashes, hits) last; a delete drops that row first. Ids come from (article
id, place), so writing an article again upserts the same rows; a replaced article's rows past its new
length are deleted. Reads use Strong consistency: a search sees every write acknowledged before it,
from any process.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Iterator, Sequence

import numpy as np

from qa.errors import QAError
from qa.store.manifest import FORMAT_VERSION, Chunking, Manifest, now
from qa.store.milvus import queries, rows, schema
from qa.store.milvus.client import Address, connect, milvus_errors, parse_address
from qa.store.milvus.lease import LeaseLock
from qa.store.milvus.stories import MilvusStories, texts_within
from qa.store.milvus.view import MilvusView, article_of
from qa.store.quote_rows import SpeakerQuotes
from qa.types import Filters, Person, Quote

if TYPE_CHECKING:
    from pymilvus import MilvusClient

    from qa.store.article_rows import NewArticle
    from qa.types import Article, FoundQuotes

MANIFEST_KEY = "manifest"
STATE_PREFIX = "state:"
ARTICLE_FIELDS = ["id", "text_hash", "title", "url", "published", "authors", "source", "origin", "pages", "stored"]
QUOTE_FIELDS = ["article_id", "start", "end", "text", "speaker", "role"]


class MilvusStore:
    def __init__(self, address: Address, client: MilvusClient, manifest: Manifest) -> None:
        self.address, self.client, self.manifest = address, client, manifest
        self.write_lock = LeaseLock(client, address)
        self.stories = MilvusStories(client, address.collection)

    @property
    def location(self) -> str:
        return str(self.address)

    def _name(self, kind: str) -> str:
        return schema.name(self.address.collection, kind)

    # -- opening -------------------------------------------------------------------------------

    @staticmethod
    def exists(location: str) -> bool:
        address = parse_address(location)
        client = connect(address)
        try:
            with milvus_errors(address):
                return _read_manifest(client, address) is not None
        finally:
            client.close()

    @classmethod
    def create(
        cls, location: str, *, model: str, dimension: int, chunking: Chunking, embedding_backend: str,
        vector_space: str,
    ) -> "MilvusStore":
        address = parse_address(location)
        client = connect(address)
        with milvus_errors(address):
            if _read_manifest(client, address) is not None:
                raise QAError(f"{address}: a store already exists here")
            schema.create(client, address.collection, dimension)
            created = now()
            manifest = Manifest(
                format_version=FORMAT_VERSION, model=model, dimension=dimension, chunking=chunking,
                vector_index=schema.vector_index(client, address.collection), generation=0, articles=0, chunks=0,
                created=created, updated=created, embedding_backend=embedding_backend, vector_space=vector_space,
            )
            store = cls(address, client, manifest)
            store._write_meta(MANIFEST_KEY, 0, json.dumps(manifest.to_dict()))
        return store

    @classmethod
    def open(cls, location: str) -> "MilvusStore":
        address = parse_address(location)
        client = connect(address)
        with milvus_errors(address):
            manifest = _read_manifest(client, address)
            existing = set(client.list_collections())
        if manifest is None:
            client.close()
            raise QAError(f"{address}: no store here; build one with `qa ingest PATH --store {address}`")
        missing = sorted({schema.name(address.collection, kind) for kind in schema.KINDS} - existing)
        if missing:
            client.close()
            raise QAError(f"{address}: made by an older qa, without {', '.join(missing)}; build it again")
        return cls(address, client, manifest)

    def close(self) -> None:
        self.client.close()

    # -- reading -------------------------------------------------------------------------------

    @contextmanager
    def view(self) -> Iterator[MilvusView]:
        with milvus_errors(self.address):
            yield MilvusView(self.client, self.address.collection)

    def refresh(self) -> None:
        """Nothing to reload: every read asks the server, at Strong consistency."""

    def counts(self) -> dict[str, int]:
        with milvus_errors(self.address):
            return {
                "articles": queries.count(self.client, self._name(schema.ARTICLES)),
                "chunks": queries.count(self.client, self._name(schema.PASSAGES)),
                "quotes": queries.count(self.client, self._name(schema.QUOTES)),
            }

    def article(self, article_id: str) -> Article | None:
        with milvus_errors(self.address):
            found = self._articles([article_id], with_text=True)
        return found[0][1] if found else None

    def _articles(self, article_ids: Sequence[str], *, with_text: bool) -> list[tuple[dict, Article]]:
        """(row, Article) of those of ``article_ids`` stored, in the given order."""
        found = {row["id"]: row for row in queries.by_values(
            self.client, self._name(schema.ARTICLES), "id", article_ids, ARTICLE_FIELDS
        )}
        texts: dict[str, list[tuple[int, str]]] = {}
        if with_text and found:
            for row in queries.by_values(
                self.client, self._name(schema.TEXTS), "article_id", list(found), ["article_id", "place", "text"],
                rows_per_value=4,
            ):
                texts.setdefault(row["article_id"], []).append((row["place"], row["text"]))
        return [
            (found[i], article_of(found[i], "".join(text for _, text in sorted(texts.get(i, [])))))
            for i in article_ids if i in found
        ]

    def sources(self) -> list[str]:
        by_key: dict[str, str] = {}
        with milvus_errors(self.address):
            for row in queries.every(self.client, self._name(schema.ARTICLES), 'source != ""', ["source"]):
                key = row["source"].casefold()
                by_key[key] = min(by_key.get(key, row["source"]), row["source"])
        return [by_key[key] for key in sorted(by_key)]

    def known_hashes(self, article_ids: Sequence[str]) -> dict[str, str]:
        with milvus_errors(self.address):
            found = queries.by_values(self.client, self._name(schema.ARTICLES), "id", article_ids, ["id", "text_hash"])
        return {row["id"]: row["text_hash"] for row in found}

    def quotes(
        self, *, article_ids: Sequence[str] | None = None, name_words: Sequence[str] = (), filters: Filters = Filters()
    ) -> list[Quote]:
        expression = rows.both(
            rows.filter_expression(filters), rows.name_words_expression(("speaker_folded", "role_folded"), name_words)
        )
        with milvus_errors(self.address):
            if article_ids is None:
                found = list(queries.every(self.client, self._name(schema.QUOTES), expression, QUOTE_FIELDS))
            else:
                found = queries.by_values(
                    self.client, self._name(schema.QUOTES), "article_id", article_ids, QUOTE_FIELDS, expression,
                    rows_per_value=64,
                )
        if name_words:
            found = [row for row in found if rows.contains_one((row["speaker"], row["role"]), name_words)]
        return [Quote(*(row[field] for field in QUOTE_FIELDS)) for row in sorted(found, key=_by_article_place)]

    def speaker_quotes(self, speakers: Sequence[str], *, filters: Filters = Filters()) -> SpeakerQuotes:
        dimension = self.manifest.dimension
        fields = QUOTE_FIELDS + ["framing", "published", "vector", "embedded"]
        with milvus_errors(self.address):
            found = queries.by_values(
                self.client, self._name(schema.QUOTES), "speaker", speakers, fields, rows.filter_expression(filters),
                rows_per_value=QUERY_ALL,
            ) if speakers else []
        found.sort(key=_by_article_place)
        vectors = np.array([row["vector"] for row in found], np.float32).reshape(len(found), dimension)
        return SpeakerQuotes(
            [Quote(*(row[field] for field in QUOTE_FIELDS)) for row in found], [row["framing"] for row in found],
            [row["published"] for row in found], vectors, np.array([bool(row["embedded"]) for row in found], bool),
        )

    def people(
        self, name_words: Sequence[str], *, filters: Filters = Filters(), recent_since: str | None = None
    ) -> list[Person]:
        if not name_words:
            return []
        expression = rows.both(
            rows.filter_expression(filters), rows.name_words_expression(("name_folded", "role_folded"), name_words)
        )
        grouped: dict[tuple[str, str], list[dict]] = {}
        with milvus_errors(self.address):
            for row in queries.every(
                self.client, self._name(schema.PEOPLE), expression, ["article_id", "name", "role", "quotes", "published"]
            ):
                if rows.contains_one((row["name"], row["role"]), name_words):
                    grouped.setdefault((row["name"], row["role"]), []).append(row)
        people = [_person(name, role, found, recent_since) for (name, role), found in grouped.items()]
        return sorted(people, key=lambda person: (-person.articles, person.name))

    def stories_of(self, article_ids: Sequence[str]) -> dict[str, str]:
        """The story of each given article: the id that all stored copies of it share (its own id when
        no other stored article is a near-copy of it), to count what copies say once."""
        with milvus_errors(self.address):
            grouped = self.stories.stories_of(article_ids)
        return {article: grouped.get(article, article) for article in article_ids}

    def story_counts(self) -> dict[str, int]:
        with milvus_errors(self.address):
            return self.stories.counts()

    def state(self, key: str) -> int | None:
        with milvus_errors(self.address):
            found = self.client.query(
                self._name(schema.META), filter=f"key == {rows.literal(STATE_PREFIX + key)}", output_fields=["number"]
            )
        return int(found[0]["number"]) if found else None

    def articles_after(self, rowid: int, limit: int) -> list[tuple[int, str, Article]]:
        """(when stored, text hash, article) of the next ``limit`` articles stored after ``rowid`` (ns)."""
        with milvus_errors(self.address):
            later = sorted(
                (row["stored"], row["id"]) for row in
                queries.every(self.client, self._name(schema.ARTICLES), f"stored > {int(rowid)}", ["id", "stored"])
            )[:limit]
            found = self._articles([article_id for _, article_id in later], with_text=True)
        return [(row["stored"], row["text_hash"], article) for row, article in found]

    # -- writing -------------------------------------------------------------------------------

    def commit(self, new: Sequence[NewArticle], removed_ids: Sequence[str] = ()) -> None:
        with milvus_errors(self.address):
            touched = self.stories.forget(list(removed_ids) + [item.article.id for item in new])
            self._delete(list(removed_ids))
            for story in sorted(touched):
                self.stories.regroup(story)
            texts_of = texts_within({item.article.id: item.article.text for item in new}, self._texts)
            for item in new:
                if item.signature is not None:
                    self.stories.add(item.article.id, item.article.text, item.signature, texts_of)
            replaced = set(self.known_hashes([item.article.id for item in new]))
            self._upsert(schema.PASSAGES, [row for item in new for row in rows.passage_rows(item)])
            self._upsert(schema.TEXTS, [row for item in new for row in rows.text_rows(item.article)])
            self._write_quotes([(item.article, item.found, item.quote_vectors) for item in new], replaced)
            for item in new:
                if item.article.id in replaced:
                    self._delete_after(schema.PASSAGES, item.article.id, max((c.ordinal for c in item.chunks), default=-1) + 1)
                    self._delete_after(schema.TEXTS, item.article.id, len(rows.text_pieces(item.article.text)))
            self._upsert(schema.ARTICLES, [rows.article_row(item) for item in new])

    def _write_quotes(self, found: list[tuple[Article, FoundQuotes, Sequence]], replaced: set[str]) -> None:
        """Quotes and people of (article, quotes found, their vectors), and, for the ``replaced`` articles,
        deleting the rows of theirs beyond the new ones."""
        dimension = self.manifest.dimension
        self._upsert(schema.QUOTES, [row for article, quotes, vectors in found
                                     for row in rows.quote_rows(article, quotes, vectors, dimension)])
        self._upsert(schema.PEOPLE, [row for article, quotes, _ in found for row in rows.people_rows(article, quotes)])
        for article, quotes, _ in found:
            if article.id in replaced:
                self._delete_after(schema.QUOTES, article.id, len(quotes.quotes))
                self._delete_after(schema.PEOPLE, article.id, len(quotes.people))

    def _upsert(self, kind: str, data: list[dict]) -> None:
        for begin in range(0, len(data), UPSERT_BATCH):
            self.client.upsert(self._name(kind), data[begin : begin + UPSERT_BATCH])

    def _delete_after(self, kind: str, article_id: str, places: int) -> None:
        self.client.delete(self._name(kind), filter=f"article_id == {rows.literal(article_id)} and place >= {places}")

    def _delete(self, article_ids: list[str]) -> None:
        for begin in range(0, len(article_ids), queries.VALUES_PER_QUERY):
            part = article_ids[begin : begin + queries.VALUES_PER_QUERY]
            self.client.delete(self._name(schema.ARTICLES), filter=rows.one_of("id", part))  # first: see the module
            for kind in (schema.PASSAGES, schema.TEXTS, schema.QUOTES, schema.PEOPLE):
                self.client.delete(self._name(kind), filter=rows.one_of("article_id", part))

    def replace_quotes(
        self, found: Sequence[tuple[str, str, FoundQuotes, Sequence[np.ndarray | None]]], state: dict[str, int]
    ) -> None:
        """Each still stored article's quotes and people replaced (if stored with that text hash), then ``state``."""
        with milvus_errors(self.address):
            stored = self.known_hashes([article_id for article_id, *_ in found])
            current = [item for item in found if stored.get(item[0]) == item[1]]
            articles = dict((article.id, article) for _, article in self._articles([i for i, *_ in current], with_text=True))
            self._write_quotes(
                [(articles[i], quotes, vectors) for i, _, quotes, vectors in current if i in articles], set(articles)
            )
            self._set_state(state)

    def add_story_signatures(
        self, found: Sequence[tuple[str, str, np.ndarray | None]], state: dict[str, int], *, restart: bool = False
    ) -> None:
        """Group articles stored without a story signature (article id, text hash, signature) if still stored
        with that text, and set bookkeeping values (``restart``: forgetting every grouping first)."""
        with milvus_errors(self.address):
            if restart:
                self.stories.clear()
            ids = [article_id for article_id, *_ in found]
            stored, signed = self.known_hashes(ids), self.stories.signed(ids)
            waiting = [(article_id, signature) for article_id, text_hash, signature in found
                       if signature is not None and stored.get(article_id) == text_hash and article_id not in signed]
            texts = self._texts([article_id for article_id, _ in waiting])
            for article_id, signature in waiting:
                if article_id in texts:
                    self.stories.add(article_id, texts[article_id], signature, self._texts)
            self._set_state(state)

    def _texts(self, article_ids: Sequence[str]) -> dict[str, str]:
        return {article.id: article.text for _, article in self._articles(article_ids, with_text=True)}

    def _set_state(self, state: dict[str, int]) -> None:
        for key, value in state.items():
            self._write_meta(STATE_PREFIX + key, value, "")

    def _write_meta(self, key: str, number: int, text: str) -> None:
        self.client.upsert(
            self._name(schema.META), [{"key": key, "no_vector": schema.NO_VECTOR, "number": int(number), "text": text}]
        )

    def save(self) -> None:
        """What was written flushed into sealed segments (durable, and indexed: milvus-lite rebuilds the
        BM25 index of unflushed rows at every search), the vector index fitted to the collection's size,
        and the manifest's counts brought up to date."""
        with milvus_errors(self.address):
            for kind in schema.KINDS:
                self.client.flush(self._name(kind))
        counts = self.counts()
        with milvus_errors(self.address):
            kind = schema.fit_vector_index(self.client, self.address.collection, counts["chunks"])
            self.manifest = replace(
                self.manifest, articles=counts["articles"], chunks=counts["chunks"], vector_index=kind, updated=now()
            )
            self._write_meta(MANIFEST_KEY, 0, json.dumps(self.manifest.to_dict()))


UPSERT_BATCH = 1_000
QUERY_ALL = 1_000_000  # rows_per_value that makes queries.by_values page through every match


def _read_manifest(client: MilvusClient, address: Address) -> Manifest | None:
    meta = schema.name(address.collection, schema.META)
    if meta not in client.list_collections():
        return None
    schema.load(client, address.collection)
    found = client.query(meta, filter=f"key == {rows.literal(MANIFEST_KEY)}", output_fields=["text"])
    return Manifest.from_dict(json.loads(found[0]["text"])) if found else None


def _by_article_place(row: dict) -> tuple[str, int]:
    return row["article_id"], row["start"]


def _person(name: str, role: str, found: list[dict], recent_since: str | None) -> Person:
    dates = [row["published"] for row in found if row["published"]]
    articles = {row["article_id"] for row in found}
    recent = {row["article_id"] for row in found if recent_since and row["published"] >= recent_since}
    return Person(
        name, role, len(articles), sum(row["quotes"] for row in found), min(dates, default=""), max(dates, default=""),
        len(recent),
    )
