"""An index folder on disk: manifest.json, meta.sqlite (the source of truth), vectors.faiss and keywords/.

Every write is a SQLite transaction that bumps a generation number. vectors.faiss and keywords/ (the
BM25 index) are caches of what SQLite holds, saved with the generation they reflect; when one is missing
or stale (say a process was killed mid-ingest) it is brought up to date from SQLite on open, without
re-embedding anything.
"""

from qa.store.chunk_table import ChunkFacts
from qa.store.article_rows import NewArticle
from qa.store.database import Database
from qa.store.manifest import FORMAT_VERSION, Chunking, Manifest
from qa.store.store import Store, StoreView

__all__ = ["ChunkFacts", "Chunking", "Database", "FORMAT_VERSION", "Manifest", "NewArticle", "Store", "StoreView"]
