"""Five points of bench/crash_matrix.py (issue 14, item 1), with the tiny model on made-up news: a child
process SIGKILLs itself mid-write; the index must open with its parts in agreement, keep every commit,
and converge on an uninterrupted run's state when the operation runs again. The whole matrix (42
points, real model, RealTime QA) is the bench script's, its results in RELIABILITY.md."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Points whose child embeds nothing, so it never loads the model: a kill mid-ingest is
# tests/test_crash_safety.py's, and the matrix's (24 of its 42 points embed).
POINTS = (
    "delete:sql.commit#1",  # inside the SQLite transaction: rolled back, nothing deleted
    "delete:keywords.committed#1",  # the BM25 deletions committed, the older commit file not yet removed, vectors not saved
    "backfill:sql.committed#1",  # one batch of re-extracted quotes stored
    "band-shrink:vectors.build#1",  # a delete took an IVF index below its band: killed as it rebuilds flat
    "keywords:keywords.written#1",  # a BM25 segment written, not yet renamed into place
)
PEOPLE = ("Maria Lopez", "John Carter", "Aisha Khan", "Tomas Novak", "Li Wei", "Grace Okafor")
TOPICS = ("bridge", "budget", "school", "harbor", "railway", "hospital", "library", "water plant")


def write_articles(path: Path, count: int = 64) -> None:
    """Made-up local news, each article distinct and quoting someone by name."""
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            person, topic = PEOPLE[n % len(PEOPLE)], TOPICS[n % len(TOPICS)]
            paragraphs = [
                f"The city council of Town {n} voted on Tuesday to fund the {topic} project, number {n * 7}.",
                f"\u201cWe have waited {n + 2} years for this {topic},\u201d said {person}, the mayor of Town {n}.",
                f"Residents of Town {n} gathered outside the hall, where the {topic} plan was debated for {n % 5 + 2} hours.",
                f"{person} added that work would begin in spring. \u201cThe money is there now,\u201d {person.split()[0]} said.",
                f"Critics in Town {n} said the {topic} would cost more than {n + 3} million dollars and take a decade.",
                f"The council meets again next month to hear bids for the {topic}, the clerk of Town {n} said.",
                f"Local businesses near the {topic} site in Town {n} expect more visitors once the work is done.",
            ]
            row = {"id": f"town-{n:03d}", "title": f"Town {n} funds its {topic}", "text": "\n\n".join(paragraphs),
                   "published": f"2022-{n % 12 + 1:02d}-{n % 27 + 1:02d}", "authors": [f"Reporter {n % 4}"]}
            out.write(json.dumps(row) + "\n")


def test_sigkilled_writes_open_consistent_keep_commits_and_converge(tmp_path, tiny_model_path):
    articles, results = tmp_path / "articles.jsonl", tmp_path / "results.json"
    write_articles(articles)
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "crash_matrix.py"), "--articles", str(articles), "--model",
         str(tiny_model_path), "--points", ",".join(POINTS), "--json", str(results)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    rows = json.loads(results.read_text())
    assert [f"{row['scenario']}:{row['point']}" for row in rows] == list(POINTS)
    for row in rows:
        assert row["killed"] and row["problems"] == [], row
    assert rows[0]["commits"] == 0 and rows[1]["commits"] == 1  # the kill came before, or after, the commit
