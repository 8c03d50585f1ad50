"""article-qa: question answering over news articles.

    from qa import Index, ask, load_articles
    index = Index.open("index", create=True)
    index.add(load_articles("news/"))
    hits = index.search("what did Blinken say about Article 5?", k=5)
    answer = ask(index, "what did Blinken say about Article 5?")

Importing ``qa`` is cheap: FAISS and the embedding model load only when first used.
"""

from qa.config import Settings
from qa.errors import QAError
from qa.types import Answer, Article, Chunk, Citation, Filters, Hit, IngestError, IngestReport, Quote

__all__ = [
    "Answer", "Article", "Chunk", "Citation", "Filters", "Hit", "Index", "IngestError", "IngestReport", "QAError",
    "Quote", "Settings", "ask", "load_articles",
]


def __getattr__(name: str):
    if name == "Index":
        from qa.index import Index

        return Index
    if name == "load_articles":
        from qa.ingest import load_articles

        return load_articles
    if name == "ask":
        from qa.answer import ask

        return ask
    raise AttributeError(f"module 'qa' has no attribute {name!r}")
