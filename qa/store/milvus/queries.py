"""Reads of any length from a Milvus collection: its query call returns at most QUERY_WINDOW rows, and an
expression is best kept to a bounded list of values."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, Sequence

from qa.store.milvus.rows import both, one_of

if TYPE_CHECKING:
    from pymilvus import MilvusClient

QUERY_WINDOW = 16_384  # Milvus's cap on offset + limit of one query
VALUES_PER_QUERY = 1_000
ITERATOR_BATCH = 4_096


def every(client: MilvusClient, collection: str, expression: str, fields: Sequence[str]) -> Iterator[dict]:
    """Every row matching ``expression`` ("": all), with ``fields``."""
    iterator = client.query_iterator(
        collection, batch_size=ITERATOR_BATCH, filter=expression, output_fields=list(fields)
    )
    try:
        while rows := iterator.next():
            yield from rows
    finally:
        iterator.close()


def by_values(
    client: MilvusClient, collection: str, field: str, values: Sequence, fields: Sequence[str], expression: str = "",
    *, rows_per_value: int = 1,
) -> list[dict]:
    """The rows whose ``field`` is one of ``values`` (and matching ``expression``)."""
    found: list[dict] = []
    values = list(dict.fromkeys(values))
    step = max(1, min(VALUES_PER_QUERY, QUERY_WINDOW // rows_per_value))
    for begin in range(0, len(values), step):
        part = both(one_of(field, values[begin : begin + step]), expression)
        if rows_per_value == 1:
            found += client.query(collection, filter=part, output_fields=list(fields), limit=QUERY_WINDOW)
        else:
            found += every(client, collection, part, fields)
    return found


def count(client: MilvusClient, collection: str, expression: str = "") -> int:
    return int(client.query(collection, filter=expression, output_fields=["count(*)"])[0]["count(*)"])
