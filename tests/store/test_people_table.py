"""The people table in memory: the same people as the SQL it replaces (LIKE words, date and outlet filters,
recent counts, order), and read again after every change to the people rows, never before."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from qa.store.article_rows import NewArticle
from qa.store.database import Database
from qa.store.people_table import PeopleCache
from qa.store.quote_rows import like_escaped
from qa.store.sql import filter_clause
from qa.types import Article, Filters, FoundQuotes, Person, PersonSeen

PEOPLE = {  # article id: (published, outlet, people)
    "a1": ("2022-01-05", "Harbor Times", [("Antony Blinken", "Secretary of State", 3), ("Joe Biden", "President", 1)]),
    "a2": ("2022-02-10", "harbor times", [("Antony Blinken", "Secretary of State", 1), ("Blinken", "", 2)]),
    "a3": ("2022-03-15", "Valley Post", [("Antony Blinken", "Sec.", 0), ("Ségolène Royal", "former minister", 2)]),
    "a4": ("", "Valley Post", [("Joe Biden", "President", 2), ("Jane 100%_Doe", "Texas state Sen.", 1)]),
    "a5": ("2022-03-20", "Ünited Press", [("ÉMILE Zola", "writer", 1), ("Joe Biden", "U.S. President", 0)]),
}
WORDS = [["blinken"], ["BLINKEN", "Sec."], ["secretary", "state"], ["president"], ["é"], ["É"], ["ségolène"],
         ["100%_d"], ["100%"], ["_"], ["%"], ["sen."], ["nobody"], ["e"]]
FILTERS = [Filters(), Filters(until="2022-02-10"), Filters(as_of="2022-02-10"), Filters(since="2022-02-10"),
           Filters(source="HARBOR times"), Filters(source="ünited press"), Filters(source="Ünited Press"),
           Filters(source="Valley Post", as_of="2022-01-01"), Filters(since="2022-01-06", until="2022-03-16")]


def _database(tmp_path: Path) -> Database:
    database = Database(tmp_path / "meta.sqlite")
    database.commit([_new(article_id) for article_id in PEOPLE], [])
    return database


def _new(article_id: str, people: list[tuple[str, str, int]] | None = None) -> NewArticle:
    published, source, seen = PEOPLE.get(article_id, ("2022-04-01", "Harbor Times", []))
    found = FoundQuotes(people=tuple(PersonSeen(*person) for person in (people if people is not None else seen)))
    article = Article(article_id, f"Text of {article_id}.", title=article_id, published=published, source=source)
    return NewArticle(article, article_id, [], np.zeros((0, 4), np.float32), found)


def _by_sql(db: sqlite3.Connection, words: list[str], filters: Filters, recent_since: str | None) -> list[Person]:
    """The people query the table replaced: LIKE over every row, summed by SQL."""
    where, params = filter_clause(filters)
    either = "p.name LIKE ? ESCAPE '\\' OR p.role LIKE ? ESCAPE '\\'"
    rows = db.execute(
        "SELECT p.name, p.role, count(DISTINCT p.article_id), sum(p.quotes), "
        "coalesce(min(nullif(a.published, '')), ''), coalesce(max(nullif(a.published, '')), ''), "
        "count(DISTINCT CASE WHEN a.published >= ? THEN p.article_id END) "
        f"FROM people p JOIN articles a ON a.id = p.article_id WHERE {where} AND ({' OR '.join([either] * len(words))}) "
        "GROUP BY p.name, p.role ORDER BY count(DISTINCT p.article_id) DESC, p.name, p.role",
        [recent_since or "9999"] + params + [f"%{like_escaped(word)}%" for word in words for _ in (0, 1)],
    ).fetchall()
    return [Person(*row) for row in rows]


def test_the_same_people_as_the_sql_query(tmp_path: Path) -> None:
    database = _database(tmp_path)
    compared = 0
    for words in WORDS:
        for filters in FILTERS:
            for recent_since in (None, "2022-02-01", "2022-03-16"):
                expected = _by_sql(database.connection(), words, filters, recent_since)
                found = database.people(words, filters=filters, recent_since=recent_since)
                # and the surname-only rows of the people found (test_a_surname_alone_is_the_article_s_one_person)
                assert [p for p in found if p in expected or len(p.name.split()) > 1] == expected, (words, filters)
                compared += bool(expected)
    assert compared > 100  # most cases find someone
    found = database.people(["blinken"], filters=Filters(until="2022-02-10"), recent_since="2022-02-01")
    assert found[0] == Person("Antony Blinken", "Secretary of State", 2, 4, "2022-01-05", "2022-02-10", 1)
    assert [p.name for p in database.people(["É"])] == ["ÉMILE Zola"]  # LIKE folds ASCII letters only
    assert database.people(["é"]) and "ÉMILE Zola" not in [p.name for p in database.people(["é"])]


def test_read_again_after_a_commit_or_a_quote_backfill_and_not_otherwise(tmp_path: Path) -> None:
    database = _database(tmp_path)
    cache: PeopleCache = database._people
    database.people(["blinken"])
    first = cache.table(database.connection())
    database.people(["biden"], filters=Filters(as_of="2022-03-01"))
    assert cache.table(database.connection()) is first  # reads share one copy
    database.commit([_new("a6", [("Antony Blinken", "Secretary of State", 5)])], [])
    assert sum(p.quotes for p in database.people(["blinken"])) == 4 + 2 + 5
    database.replace_quotes([("a6", "a6", FoundQuotes(people=(PersonSeen("Linda Thomas-Greenfield", "", 1),)), [])], {})
    assert sum(p.quotes for p in database.people(["blinken"])) == 4 + 2
    assert [p.name for p in database.people(["thomas"])] == ["Linda Thomas-Greenfield"]
    database.commit([], ["a6"])
    assert database.people(["thomas"]) == []


def test_reading_people_writes_nothing(tmp_path: Path) -> None:
    database = _database(tmp_path)
    files = [tmp_path / "meta.sqlite", tmp_path / "meta.sqlite-wal"]

    def written() -> list[tuple[int, int]]:
        return [(path.stat().st_size, path.stat().st_mtime_ns) for path in files if path.exists()]

    before = written()
    database.people(["blinken"], filters=Filters(as_of="2022-03-01"), recent_since="2022-02-01")
    database.people(["president"], filters=Filters(source="Valley Post"))
    assert written() == before


def test_a_surname_alone_is_the_article_s_one_person_of_that_name(tmp_path: Path) -> None:
    database = Database(tmp_path / "meta.sqlite")
    database.commit([
        # the prime minister, and his father named once: "Johnson said" is the one quoted or given a role
        _new("u1", [("Boris Johnson", "British Prime Minister", 0), ("Stanley Johnson", "", 0), ("Johnson", "", 4)]),
        _new("u2", [("Dustin Johnson", "golfer", 1), ("Johnson", "", 3)]),  # another Johnson's article
        _new("u3", [("Ayman al-Zawahiri", "", 0), ("Zawahiri", "", 2)]),  # a particle joined to the family name
    ], [])
    found = database.people(["prime", "minister"])
    assert [(p.name, p.articles, p.quotes) for p in found] == [("Boris Johnson", 1, 0), ("Johnson", 1, 4)]
    assert [p.name for p in database.people(["Ayman"])] == ["Ayman al-Zawahiri", "Zawahiri"]
