"""Core value types. Standard library only, so every layer can import them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Article:
    """One news article as ingested. ``text`` is the body the chunk spans point into."""

    id: str
    text: str
    title: str = ""
    url: str = ""
    published: str = ""  # ISO date, YYYY-MM-DD, or "" when unknown
    authors: tuple[str, ...] = ()
    source: str = ""  # the outlet, e.g. "Washington Examiner" or "www.cnn.com"
    origin: str = ""  # where it was read from: "path/to/file.jsonl:12"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["authors"] = list(self.authors)
        return data


@dataclass(frozen=True)
class Chunk:
    """A passage of an article: ``article.text[start:end] == text``."""

    article_id: str
    ordinal: int  # position within the article, from 0
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Hit:
    """One ranked passage with the metadata of the article it comes from."""

    article_id: str
    text: str
    start: int
    end: int
    score: float
    title: str = ""
    url: str = ""
    published: str = ""
    source: str = ""
    authors: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["authors"] = list(self.authors)
        return data


@dataclass(frozen=True)
class Quote:
    """A direct quotation found at ingest; ``start``/``end`` cover the quoted words in the article text."""

    article_id: str
    start: int
    end: int
    text: str
    speaker: str  # the fullest name the article gives, e.g. "Antony Blinken"; "" if unattributed
    role: str = ""  # e.g. "Secretary of State", when the article gives one


@dataclass(frozen=True)
class Citation:
    """A numbered source of an answer: an exact span of an article."""

    number: int
    article_id: str
    start: int
    end: int
    text: str
    title: str = ""
    url: str = ""
    published: str = ""
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Answer:
    """What ``ask`` returns: a short answer whose [n] markers refer to ``citations``."""

    question: str
    text: str
    citations: tuple[Citation, ...] = ()
    hits: tuple[Hit, ...] = ()
    kind: str = "passages"  # "quote" | "sentences" | "generated" | "passages" | "none"

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.text,
            "kind": self.kind,
            "citations": [c.to_dict() for c in self.citations],
            "hits": [h.to_dict() for h in self.hits],
        }


@dataclass(frozen=True)
class IngestError:
    """One input that could not be ingested, with where it came from."""

    origin: str  # "path" or "path:line"
    reason: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.reason}"


@dataclass(frozen=True)
class IngestReport:
    added: int = 0
    replaced: int = 0
    skipped: int = 0
    chunks: int = 0
    seconds: float = 0.0
    failed: tuple[IngestError, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "replaced": self.replaced,
            "skipped": self.skipped,
            "failed": len(self.failed),
            "chunks": self.chunks,
            "seconds": round(self.seconds, 3),
            "errors": [{"origin": e.origin, "reason": e.reason} for e in self.failed],
        }
