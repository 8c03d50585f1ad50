"""The collections of one Milvus store, all named from its COLLECTION: passages (vectors, BM25 and what
ranking needs), articles, their texts, quotes, people, the wire-story grouping (stories, bands, links: the
local store's story_* tables), and meta (the manifest and bookkeeping values).

Milvus wants a vector field in every collection: those holding none of their own carry a 2-d zero one
(``NO_VECTOR``). Text fields hold at most 65,535 bytes, so article texts are cut into pieces of
TEXT_PIECE characters (4 bytes each at most in UTF-8)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pymilvus import MilvusClient

PASSAGES, ARTICLES, TEXTS, QUOTES, PEOPLE, META = "passages", "articles", "texts", "quotes", "people", "meta"
STORIES, BANDS, LINKS = "stories", "bands", "links"  # the wire-story grouping (milvus/stories.py)
KINDS = (META, ARTICLES, TEXTS, PASSAGES, QUOTES, PEOPLE, STORIES, BANDS, LINKS)  # meta first: it marks a store
NO_VECTOR = [0.0, 0.0]
TEXT_PIECE = 16_000
LONGEST = 65_535
ID_LENGTH = 1_024
SIGNATURE_LENGTH = 2_048  # hex of stories.PERMUTATIONS uint32 values, with room
FLAT_LIMIT = 100_000  # passages from which HNSW replaces exact search (as qa.store.vectors switches to IVF)
HNSW_BUILD = {"M": 16, "efConstruction": 200}


def name(collection: str, kind: str) -> str:
    return f"{collection}_{kind}"


def create(client: MilvusClient, collection: str, dimension: int) -> None:
    """Make the store's collections (each one only if missing)."""
    existing = set(client.list_collections())
    for kind in KINDS:
        if name(collection, kind) not in existing:
            schema, indexes = _SCHEMAS[kind](client, dimension)
            client.create_collection(
                name(collection, kind), schema=schema, index_params=indexes, consistency_level="Strong"
            )


def load(client: MilvusClient, collection: str) -> None:
    """The store's collections loaded for reading where they are not: a Milvus cluster keeps them loaded
    across restarts, but a restarted milvus-lite server has every collection released."""
    from pymilvus.client.types import LoadState

    existing = set(client.list_collections())
    for kind in KINDS:
        kind_name = name(collection, kind)
        if kind_name in existing and client.get_load_state(kind_name)["state"] != LoadState.Loaded:
            client.load_collection(kind_name)


def vector_index(client: MilvusClient, collection: str) -> str:
    """The passages' vector index type."""
    return client.describe_index(name(collection, PASSAGES), "vector")["index_type"]


def fit_vector_index(client: MilvusClient, collection: str, passages: int) -> str:
    """The passages' vector index, rebuilt when the collection crossed FLAT_LIMIT either way; its type."""
    current, wanted = vector_index(client, collection), ("HNSW" if passages >= FLAT_LIMIT else "FLAT")
    if current == wanted:
        return current
    passages_name = name(collection, PASSAGES)
    client.release_collection(passages_name)
    client.drop_index(passages_name, "vector")
    indexes = client.prepare_index_params()
    _vector_index(indexes, wanted)
    client.create_index(passages_name, indexes)
    client.load_collection(passages_name)
    return wanted


def _vector_index(indexes, kind: str) -> None:
    # IP: the vectors are unit length, so it is the cosine that the local store reports.
    indexes.add_index("vector", index_type=kind, metric_type="IP", params=_nested(HNSW_BUILD if kind == "HNSW" else {}))


def _nested(parameters: dict) -> dict:
    """Build parameters of an index as one JSON "params" entry: a Milvus server merges it with the
    flattened keys pymilvus sends, but milvus-lite reads only this entry (flattened ones it drops, and
    then scores BM25 with its own k1 = 1.5 and b = 0.75)."""
    return {"params": parameters} if parameters else {}


def _passages(client: MilvusClient, dimension: int):
    from pymilvus import DataType, Function, FunctionType

    schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("id", DataType.INT64, is_primary=True)  # from (article id, place): ids.passage_id
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dimension)
    schema.add_field("text", DataType.VARCHAR, max_length=LONGEST)  # the passage, as shown
    # What BM25 reads of a passage: terms.terms of its article's headline and the passage (as keywords.py).
    schema.add_field(
        "terms", DataType.VARCHAR, max_length=LONGEST, enable_analyzer=True, analyzer_params={"tokenizer": "standard"}
    )
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    # Its article version's text hash: a hit is shown only with the article row of the same version.
    schema.add_field("text_hash", DataType.VARCHAR, max_length=128)
    schema.add_function(Function(
        name="bm25", function_type=FunctionType.BM25, input_field_names=["terms"], output_field_names=["sparse"]
    ))
    _article_fields(schema, partitioned=True)
    schema.add_field("place", DataType.INT64)
    schema.add_field("start", DataType.INT64)
    schema.add_field("end", DataType.INT64)
    indexes = client.prepare_index_params()
    _vector_index(indexes, "FLAT")
    indexes.add_index(
        "sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25", params=_nested(_bm25_parameters())
    )
    _scalar_indexes(indexes)
    return schema, indexes


def _bm25_parameters() -> dict:
    """The local keyword index's k1 and b (milvus-lite's defaults differ)."""
    from qa.store.keyword_segment import B, K1

    return {"bm25_k1": K1, "bm25_b": B}


def _article_fields(schema, *, partitioned: bool = False) -> None:
    """What filters read, copied onto every row of an article, since Milvus has no joins."""
    from pymilvus import DataType

    schema.add_field("article_id", DataType.VARCHAR, max_length=ID_LENGTH)
    # The outlet folded to lower case: the source filter ignores case, and outlets partition the passages.
    schema.add_field("source_key", DataType.VARCHAR, max_length=ID_LENGTH, is_partition_key=partitioned)
    schema.add_field("published", DataType.VARCHAR, max_length=16)
    schema.add_field("published_day", DataType.INT64, nullable=True)  # yyyymmdd; NULL when undated


def _scalar_indexes(indexes) -> None:
    for field in ("article_id", "source_key", "published_day"):
        indexes.add_index(field, index_type="INVERTED")


def _no_vector(schema, indexes) -> None:
    from pymilvus import DataType

    schema.add_field("no_vector", DataType.FLOAT_VECTOR, dim=len(NO_VECTOR))
    indexes.add_index("no_vector", index_type="FLAT", metric_type="L2")


def _articles(client: MilvusClient, dimension: int):
    from pymilvus import DataType

    schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=ID_LENGTH)
    indexes = client.prepare_index_params()
    _no_vector(schema, indexes)
    schema.add_field("text_hash", DataType.VARCHAR, max_length=128)
    for field in ("title", "url", "authors", "source", "origin", "pages"):
        schema.add_field(field, DataType.VARCHAR, max_length=LONGEST)
    schema.add_field("source_key", DataType.VARCHAR, max_length=ID_LENGTH)
    schema.add_field("published", DataType.VARCHAR, max_length=16)
    schema.add_field("published_day", DataType.INT64, nullable=True)
    schema.add_field("stored", DataType.INT64)  # when it was stored (ns): articles_after's order
    schema.add_field("pieces", DataType.INT64)  # of its text in the texts collection
    for field in ("text_hash", "source_key", "published_day", "stored"):
        indexes.add_index(field, index_type="INVERTED")
    return schema, indexes


def _texts(client: MilvusClient, dimension: int):
    from pymilvus import DataType

    schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    indexes = client.prepare_index_params()
    _no_vector(schema, indexes)
    schema.add_field("article_id", DataType.VARCHAR, max_length=ID_LENGTH)
    schema.add_field("place", DataType.INT64)
    schema.add_field("text", DataType.VARCHAR, max_length=LONGEST)
    indexes.add_index("article_id", index_type="INVERTED")
    return schema, indexes


def _quotes(client: MilvusClient, dimension: int):
    from pymilvus import DataType

    schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dimension)  # zeros when not embedded
    schema.add_field("embedded", DataType.BOOL)
    _article_fields(schema)
    schema.add_field("place", DataType.INT64)
    schema.add_field("start", DataType.INT64)
    schema.add_field("end", DataType.INT64)
    schema.add_field("text", DataType.VARCHAR, max_length=LONGEST)
    schema.add_field("framing", DataType.VARCHAR, max_length=LONGEST)
    schema.add_field("frame_start", DataType.INT64, nullable=True)
    schema.add_field("frame_end", DataType.INT64, nullable=True)
    for field in ("speaker", "role", "speaker_folded", "role_folded"):  # folded: LIKE ignores case as SQLite's
        schema.add_field(field, DataType.VARCHAR, max_length=LONGEST)
    indexes = client.prepare_index_params()
    _vector_index(indexes, "FLAT")
    _scalar_indexes(indexes)
    indexes.add_index("speaker", index_type="INVERTED")
    return schema, indexes


def _people(client: MilvusClient, dimension: int):
    from pymilvus import DataType

    schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    indexes = client.prepare_index_params()
    _no_vector(schema, indexes)
    _article_fields(schema)
    schema.add_field("place", DataType.INT64)
    for field in ("name", "role", "name_folded", "role_folded"):
        schema.add_field(field, DataType.VARCHAR, max_length=LONGEST)
    schema.add_field("quotes", DataType.INT64)
    _scalar_indexes(indexes)
    return schema, indexes


def _meta(client: MilvusClient, dimension: int):
    from pymilvus import DataType

    schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("key", DataType.VARCHAR, is_primary=True, max_length=256)
    indexes = client.prepare_index_params()
    _no_vector(schema, indexes)
    schema.add_field("number", DataType.INT64)
    schema.add_field("text", DataType.VARCHAR, max_length=LONGEST)
    return schema, indexes


def _stories(client: MilvusClient, dimension: int):
    """An article's story signature (hex of its uint32 values) and story (its own id while it has no copy)."""
    from pymilvus import DataType

    schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("article_id", DataType.VARCHAR, is_primary=True, max_length=ID_LENGTH)
    indexes = client.prepare_index_params()
    _no_vector(schema, indexes)
    schema.add_field("signature", DataType.VARCHAR, max_length=SIGNATURE_LENGTH)
    schema.add_field("story", DataType.VARCHAR, max_length=ID_LENGTH)
    schema.add_field("grouped", DataType.BOOL)
    indexes.add_index("story", index_type="INVERTED")
    indexes.add_index("grouped", index_type="INVERTED")
    return schema, indexes


def _bands(client: MilvusClient, dimension: int):
    """One row per (article, band): the band's key, looked up to find candidate near-copies."""
    from pymilvus import DataType

    schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    indexes = client.prepare_index_params()
    _no_vector(schema, indexes)
    schema.add_field("key", DataType.INT64)
    schema.add_field("article_id", DataType.VARCHAR, max_length=ID_LENGTH)
    for field in ("key", "article_id"):
        indexes.add_index(field, index_type="INVERTED")
    return schema, indexes


def _links(client: MilvusClient, dimension: int):
    """Two articles found near-copies of each other, and their Jaccard similarity."""
    from pymilvus import DataType

    schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    indexes = client.prepare_index_params()
    _no_vector(schema, indexes)
    schema.add_field("article_id", DataType.VARCHAR, max_length=ID_LENGTH)
    schema.add_field("other_id", DataType.VARCHAR, max_length=ID_LENGTH)
    schema.add_field("similarity", DataType.DOUBLE)
    for field in ("article_id", "other_id"):
        indexes.add_index(field, index_type="INVERTED")
    return schema, indexes


_SCHEMAS = {PASSAGES: _passages, ARTICLES: _articles, TEXTS: _texts, QUOTES: _quotes, PEOPLE: _people, META: _meta,
            STORIES: _stories, BANDS: _bands, LINKS: _links}
