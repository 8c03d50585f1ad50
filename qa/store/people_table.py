"""The people table of meta.sqlite held in memory, one copy per version of it, for speaker resolution.

Every quote question looks people up by words of a name or role ("Blinken", "secretary of state"): in SQL
that is a LIKE scan of every row (84,367 on RealTime QA: 22–67 ms a lookup at load 2.5). Here the distinct
(name, role) pairs are one string that a word is found in at once, and the rows are arrays summed for the
pairs found (for the words of the 288 bench/quotes questions at load 6: 23 ms a lookup on average, against
118 ms in SQL; a name takes 1–3 ms, a common role word the most). The copy is read again (about 1.6 s)
after any change to the people rows: a commit (the generation) or a quote backfill (PEOPLE_VERSION), the
two writes that touch them.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from qa.quotes.people import bare_tokens
from qa.quotes.speakers import family_word
from qa.store.filter_mask import allowed_articles, ascii_folded
from qa.types import Filters, Person

PEOPLE_VERSION = "people_version"  # state key: raised by every quote backfill write, which keeps the generation
_NO_RECENT = "9999"  # a date no article has: nothing counts as recent without ``recent_since``


@dataclass(frozen=True)
class PeopleTable:
    """The people rows of one version, grouped by (name, role), with the date and outlet of each article."""

    version: tuple[int, int]  # (generation, PEOPLE_VERSION)
    names: tuple[str, ...]  # of each distinct (name, role) pair
    roles: tuple[str, ...]
    fields: str  # "name\nrole\n" of every pair, ASCII-folded as LIKE compares
    field_starts: np.ndarray  # where each name and role starts in ``fields`` (two per pair)
    pairs: np.ndarray  # each row's pair
    articles: np.ndarray  # each row's article (a position in published and sources)
    quotes: np.ndarray  # each row's count of the article's quotations that are theirs
    published: np.ndarray  # of each article
    sources: np.ndarray  # of each article, ASCII-folded
    identities: np.ndarray  # of each pair, its person_identity as a number (-1: a name of one word)
    stands_for: np.ndarray  # of each row named by a surname alone, the identity (number) it is in its article, or -1

    @classmethod
    def read(cls, db: sqlite3.Connection, version: tuple[int, int]) -> "PeopleTable":
        """The table as ``db`` holds it (read within one snapshot, of ``version``)."""
        article_rows = db.execute("SELECT id, published, source FROM articles").fetchall()
        position = {article_id: place for place, (article_id, _, _) in enumerate(article_rows)}
        rows = db.execute("SELECT name, role, article_id, quotes FROM people").fetchall()
        pair_of: dict[tuple[str, str], int] = {}
        pairs = np.fromiter((pair_of.setdefault((name, role), len(pair_of)) for name, role, _, _ in rows),
                            np.int64, len(rows))
        fields = "".join(f"{name}\n{role}\n" for name, role in pair_of)
        lengths = [len(field) + 1 for pair in pair_of for field in pair]
        return cls(
            version, tuple(name for name, _ in pair_of), tuple(role for _, role in pair_of), ascii_folded(fields),
            np.cumsum([0] + lengths[:-1]).astype(np.int64),
            pairs, np.fromiter((position[row[2]] for row in rows), np.int64, len(rows)),
            np.fromiter((row[3] for row in rows), np.int64, len(rows)),
            np.asarray([row[1] for row in article_rows], dtype=str),
            np.asarray([ascii_folded(row[2]) for row in article_rows], dtype=str),
            *_identities(rows, pair_of),
        )

    def people(self, name_words: Sequence[str], filters: Filters, recent_since: str | None) -> list[Person]:
        """People (one per name and role) whose name or role contains one of ``name_words`` (as a LIKE
        '%word%' would find it), and the surname alone where an article names one of them by it, summed over
        the articles ``filters`` allows, with how many of those were published on or after ``recent_since``;
        the most often named first, then by name and role."""
        found: set[int] = set()
        for word in name_words:
            starts = [match.start() for match in re.finditer(re.escape(ascii_folded(word)), self.fields)]
            if starts:
                found.update(((np.searchsorted(self.field_starts, starts, side="right") - 1) // 2).tolist())
        if not found:
            return []
        wanted = np.zeros(len(self.names), bool)
        wanted[list(found)] = True
        # "Johnson said", where the article's one Johnson is a person found: that person's row too
        standing = np.isin(self.stands_for, self.identities[list(found)])
        standing &= self.stands_for >= 0
        allowed = allowed_articles(filters, self.published, self.sources)
        rows = np.flatnonzero((wanted[self.pairs] | standing) & allowed[self.articles])
        recent_since = recent_since or _NO_RECENT
        dates = self.published.tolist()
        grouped: dict[int, tuple[set[int], list[int], set[int]]] = {}
        for pair, article, quotes in zip(self.pairs[rows].tolist(), self.articles[rows].tolist(),
                                         self.quotes[rows].tolist()):
            articles, counts, recent = grouped.setdefault(pair, (set(), [], set()))
            articles.add(article)
            counts.append(quotes)
            if dates[article] >= recent_since:
                recent.add(article)
        people = []
        for pair, (articles, counts, recent) in grouped.items():
            seen = [dates[article] for article in articles if dates[article]]
            people.append(Person(self.names[pair], self.roles[pair], len(articles), sum(counts),
                                 min(seen, default=""), max(seen, default=""), len(recent)))
        return sorted(people, key=lambda person: (-person.articles, person.name, person.role))


def person_identity(name: str) -> str:
    """First and family name of a full name ("boris johnson" for "Boris Johnson", and for the "Boris Johnson
    Johnson" a misread leaves); "" for a name of one word."""
    tokens = bare_tokens(name)
    return f"{tokens[0]} {family_word(tokens[-1])}".casefold() if len(tokens) > 1 else ""


def _identities(rows: Sequence[tuple[str, str, str, int]], pair_of: dict[tuple[str, str], int]
                ) -> tuple[np.ndarray, np.ndarray]:
    """The person_identity of each (name, role) pair, as a number, and for each (name, role, article, quotes)
    row named by a surname alone ("Johnson") the identity of the one person its article names with that
    surname, or of the one of them it quotes or gives a role (the prime minister, not his father named once);
    -1 for other rows and where that is not one person."""
    number: dict[str, int] = {}
    pair_identity = np.full(len(pair_of), -1, np.int64)
    for (name, _), pair in pair_of.items():
        identity = person_identity(name)
        if identity:
            pair_identity[pair] = number.setdefault(identity, len(number))
    named: dict[tuple[str, str], dict[int, bool]] = {}  # (article, family name) → identity → prominent
    for name, role, article_id, quotes in rows:
        identity = person_identity(name)
        if identity:
            people = named.setdefault((article_id, identity.split()[-1]), {})
            people[number[identity]] = people.get(number[identity], False) or bool(role or quotes)
    standing = np.full(len(rows), -1, np.int64)
    for row, (name, _, article_id, _) in enumerate(rows):
        tokens = bare_tokens(name)
        people = named.get((article_id, family_word(tokens[0]).casefold()), {}) if len(tokens) == 1 else {}
        prominent = [identity for identity, shown in people.items() if shown]
        one = list(people) if len(people) == 1 else prominent
        if len(one) == 1:
            standing[row] = one[0]
    return pair_identity, standing


class PeopleCache:
    """The PeopleTable of the latest version read, shared by the threads of one Database."""

    def __init__(self) -> None:
        self._table: PeopleTable | None = None
        self._lock = threading.Lock()

    def table(self, db: sqlite3.Connection) -> PeopleTable:
        """The table of the version ``db`` sees (call within a snapshot, so that the rows are of it)."""
        values = dict(db.execute("SELECT key, value FROM state WHERE key IN ('generation', ?)", (PEOPLE_VERSION,)))
        version = (values["generation"], values.get(PEOPLE_VERSION, 0))
        with self._lock:
            table = self._table
            if table is None or table.version != version:
                table = PeopleTable.read(db, version)
                if self._table is None or self._table.version < version:
                    self._table = table
        return table


def mark_people_changed(db: sqlite3.Connection) -> None:
    """Record, in a write transaction that changed people rows but not the generation, that cached tables
    are out of date."""
    db.execute("INSERT INTO state VALUES (?, 1) ON CONFLICT (key) DO UPDATE SET value = value + 1", (PEOPLE_VERSION,))
