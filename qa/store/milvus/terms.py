"""The words Milvus's BM25 function counts: the local keyword index's (qa.store.keywords) terms, made here
and sent as text. milvus-lite's `standard` analyzer only splits and lowercases (it has no stemmer: it
accepts a server's {"type": "stemmer"} filter and ignores it), so both sides of the BM25 function, the
stored passages and the queries, get the stemmed words without stop words, and the analyzer passes them
through as they are; a Milvus server's analyzer does the same, so both count the local index's terms."""

from __future__ import annotations

import re
from functools import lru_cache

from qa.text import english_stemmer

_WORD = re.compile(r"(?u)\b\w+\b")  # keywords.SPLITTER: one-character words ("Article 5") count


def terms(text: str) -> str:
    """The stemmed words of ``text`` without English stop words, in order, space-separated."""
    stopwords = _stopwords()
    words = [word for word in _WORD.findall(text.lower()) if word not in stopwords]
    return " ".join(english_stemmer().stemWords(words))


def query_terms(text: str) -> str:
    """A query's distinct terms: the local index scores each once, whatever times it is asked."""
    return " ".join(dict.fromkeys(terms(text).split()))


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)
