"""Core value types, and the one home of the ids derived from text. Standard library only (and
qa.errors), so every layer can import them."""

from __future__ import annotations

import bisect
import hashlib
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from qa.errors import QAError


def content_id(text: str) -> str:
    """A stable id for an article without one: the same text re-ingested gets the same id.

    Case is kept (unlike text_fingerprint): two texts that differ only in case get different ids, and
    the index then decides whether the second is a duplicate."""
    normalised = " ".join(unicodedata.normalize("NFC", text).split())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:16]


def lone_surrogate(text: str) -> int | None:
    """Position of the first lone surrogate in ``text`` (JSON can spell one, \\ud800; UTF-8 cannot), or None."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        return err.start
    return None


def text_fingerprint(text: str) -> str:
    """Identity of an article's text for duplicate detection: case, Unicode form and spacing ignored.

    Looser than content_id on purpose: a re-scraped copy differing only in case is the same story
    (skipped), while ids, which users see and quote, stay exact to the text they were made from."""
    normalised = " ".join(unicodedata.normalize("NFC", text).casefold().split())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def page_at(pages: tuple[int, ...], offset: int) -> int | None:
    """The 1-based page of a paged article (``pages``: each page's start offset in its text) that holds
    character ``offset``; None for an article without pages."""
    return bisect.bisect_right(pages, offset) if pages else None


@dataclass(frozen=True)
class Filters:
    """Which articles a search, an answer or a quote lookup may use. Dates are inclusive and accept
    ``date`` objects or ISO strings, normalised to YYYY-MM-DD; a bad one raises QAError naming it."""

    source: str | None = None  # the outlet, exactly as stored (case ignored)
    since: str | None = None
    until: str | None = None
    as_of: str | None = None  # like until, but undated articles are kept and recent ones preferred

    def __post_init__(self) -> None:
        object.__setattr__(self, "source", self.source or None)
        for name in ("since", "until", "as_of"):
            object.__setattr__(self, name, _iso_date(getattr(self, name), name))

    def __bool__(self) -> bool:
        return any((self.source, self.since, self.until, self.as_of))


def _iso_date(value: str | date | None, name: str) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise QAError(f"{name}: {value!r} is not a date (expected YYYY-MM-DD)") from None


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
    pages: tuple[int, ...] = ()  # a PDF's page start offsets in ``text`` (page 1 at 0); () when unpaged

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["authors"] = list(self.authors)
        data["pages"] = list(self.pages)
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
class StoryCopy:
    """Another stored copy of a hit's story: the same wire text in another outlet, or another version."""

    article_id: str
    source: str = ""
    url: str = ""
    published: str = ""


@dataclass(frozen=True)
class Hit:
    """One ranked passage with the metadata of the article it comes from, and the other copies of its
    story (``also_in``), which a search shows once."""

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
    also_in: tuple[StoryCopy, ...] = ()
    page: int | None = None  # the page the passage starts on, for an article read from a PDF
    page_starts: tuple[int, ...] = ()  # offsets in the article where a later page begins inside the passage

    @classmethod
    def of_article(cls, article: Article, start: int, end: int, score: float) -> "Hit":
        """``article.text[start:end]`` as a hit carrying the article's facts."""
        return cls(
            article_id=article.id, text=article.text[start:end], start=start, end=end, score=score,
            title=article.title, url=article.url, published=article.published, source=article.source,
            authors=article.authors, page=page_at(article.pages, start),
            page_starts=tuple(offset for offset in article.pages if start < offset < end),
        )

    def page_of(self, offset: int) -> int | None:
        """The page of the article holding character ``offset`` of this passage; None when unpaged."""
        return self.page + bisect.bisect_right(self.page_starts, offset) if self.page else None

    def contains(self, article_id: str, start: int, end: int) -> bool:
        """Whether the span ``start:end`` of article ``article_id`` lies within this passage."""
        return self.article_id == article_id and self.start <= start and end <= self.end

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        del data["page_starts"]  # a citation's page says it; ``page`` is where the passage starts
        data["authors"] = list(self.authors)
        data["also_in"] = [asdict(copy) for copy in self.also_in]
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
class PersonSeen:
    """Someone an article names (or an organisation it quotes), with the role it gives them and how many
    of its quotations are theirs: one article's rows of the people table."""

    name: str
    role: str = ""
    quotes: int = 0


@dataclass(frozen=True)
class Person:
    """A name with one role as the stored articles give it, and when: the people table, summed."""

    name: str
    role: str  # "" for the articles that name the person without a role
    articles: int
    quotes: int
    first_seen: str  # publication dates ("" when the articles carry none)
    last_seen: str
    recent_articles: int = 0  # of ``articles``, those published in the weeks before a question's date


@dataclass(frozen=True)
class FoundQuotes:
    """What quote finding reads in one article: its quotations, the framing span of each (the reporter's
    words around it, which its vector is embedded from), and the people it names."""

    quotes: tuple[Quote, ...] = ()
    frames: tuple[tuple[int, int], ...] = ()
    people: tuple[PersonSeen, ...] = ()


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
    page: int | None = None  # the page the span starts on, for an article read from a PDF

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
