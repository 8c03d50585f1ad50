"""A store in a Milvus server or cluster (milvus://HOST:PORT/COLLECTION): see store.py."""

from qa.store.milvus.store import MilvusStore

__all__ = ["MilvusStore"]
