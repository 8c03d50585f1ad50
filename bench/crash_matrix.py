"""Crash matrix (issue 14, item 1): a child process SIGKILLs itself at a named point of an ingest, a
replace, a delete, the quote backfill, the index-type rebuild when a collection crosses a size band, or
the keyword rebuild. After each kill this process checks that

* the index opens, and SQLite (integrity_check), the vectors, the in-memory chunk table, the BM25
  index (in memory and on disk) and the manifest all hold the same chunk ids; quotes belong to stored
  articles and are those the extractor finds wherever the quote bookkeeping says they are current;
* no temporary file or folder of the killed write is left once the index has been opened;
* nothing committed is lost and nothing uncommitted appears: the articles stored are exactly those the
  child's last SQLite commit held (the child journals each commit) or, before any, the starting ones;
* running the operation again converges on what an uninterrupted run (the same child, no kill) leaves:
  the same articles, chunk ids and spans, quotes, vector index type, and the same search results.

A point is ``name#n``: the n-th time the child passes ``name``. The child installs the points by wrapping
functions of qa.store and qa.indexing from outside (nothing in qa knows of them), and kills itself with
``os.kill(os.getpid(), SIGKILL)`` there, so each run dies at the same place. The size band and the
backfill batch are made small (in the child and here alike) so a few dozen articles cross them: the
grow scenario's ingest crosses the flat/IVF boundary halfway, the shrink scenario's delete takes an IVF
index below half of it.

    .venv/bin/python bench/crash_matrix.py --runs 2 [--json out.json]
    .venv/bin/python bench/crash_matrix.py --model PATH --points ingest:sql.commit#1,delete:sql.committed#1
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ARTICLES = ROOT.parent / "shared" / "bench" / "realtimeqa" / "articles.jsonl"
BASE, ADDED = 30, 24  # articles in the starting index, and added by the ingest
COMMIT_CHUNKS = 16  # chunks a commit: an ingest of ADDED articles commits several times
BACKFILL_BATCH = 8
EMBEDDING = ("ingest", "replace", "band-grow")  # the scenarios whose child loads the model
QUERIES = ("election results", "the president said", "police arrested", "vaccine", "the company reported")

POINTS = {
    "ingest": ["embed#1", "sql.commit#1", "sql.committed#1", "sql.commit#2", "sql.committed#2", "keywords.build#1",
               "keywords.written#1", "keywords.renamed#1", "write:vectors.faiss#1", "replaced:vectors.faiss#1",
               "write:manifest.json#1", "replaced:manifest.json#1"],
    "replace": ["embed#1", "sql.commit#1", "sql.committed#1", "sql.committed#2", "keywords.written#1",
                "write:vectors.faiss#1", "write:manifest.json#1"],
    "delete": ["sql.commit#1", "sql.committed#1", "keywords.sync#1", "keywords.committed#1",
               "replaced:vectors.faiss#1", "write:manifest.json#1"],
    "backfill": ["quotes.find#5", "sql.commit#1", "sql.committed#1", "sql.committed#3", "sql.commit#5"],
    "band-grow": ["vectors.build#1", "ivf.train#1", "ivf.trained#1", "write:vectors.faiss#1",
                  "replaced:vectors.faiss#1"],
    "band-shrink": ["sql.committed#1", "vectors.build#1", "replaced:vectors.faiss#1"],
    "keywords": ["keywords.sync#1", "keywords.build#1", "keywords.written#1", "keywords.renamed#1"],
}


def corpus(path: Path) -> list:
    """The first BASE + ADDED + 10 distinct articles of a JSONL file of RealTime QA's fields, each cut to its
    first ~1,500 characters."""
    from qa.types import Article

    found, seen = [], set()
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            text = row["text"][:1500].rsplit("\n", 1)[0].strip()
            if len(text) < 400 or text in seen:
                continue
            seen.add(text)
            found.append(Article(id=row["id"], title=row["title"], text=text, published=row["published"],
                                 authors=tuple(row["authors"])))
            if len(found) == BASE + ADDED + 10:
                return found
    raise SystemExit(f"{path}: fewer than {BASE + ADDED + 10} usable articles")


def prepare(scenario: str, folder: Path, articles: list, embedder) -> None:
    """The index an operation starts from."""
    from qa.index import Index

    with Index.open(folder, embedder=embedder, settings=settings(embedder.name), create=True) as index:
        index.add(articles[: BASE + ADDED] if scenario == "band-shrink" else articles[:BASE])
    if scenario == "backfill":  # an index whose quotes come from an older extractor
        with sqlite3.connect(folder / "meta.sqlite") as db:
            db.execute("DELETE FROM quotes")
            db.execute("UPDATE state SET value = 1 WHERE key = 'quotes_version'")
    if scenario == "keywords":  # an index saved before this BM25 build version: rebuilt whole at open
        shutil.rmtree(folder / "keywords")


def operate(scenario: str, folder: Path, articles: list, embedder, model: str) -> None:
    """The operation; ``embedder`` may be None where it embeds nothing (the model then stays unloaded)."""
    from qa.index import Index

    with Index.open(folder, embedder=embedder, settings=settings(model)) as index:
        if scenario in ("ingest", "band-grow"):
            index.add(articles[: BASE + ADDED])
        elif scenario == "replace":
            note = "\n\nThis story was updated with a correction."
            changed = [dataclasses.replace(article, text=article.text + note) for article in articles[:10]]
            index.add(changed + articles[BASE + ADDED : BASE + ADDED + 4])
        elif scenario == "delete":
            index.delete([article.id for article in articles[5:15]])
        elif scenario == "band-shrink":
            index.delete([article.id for article in articles[10 : BASE + ADDED]])
        elif scenario == "backfill":
            index.ensure_quotes()


def settings(model: str):
    from qa.config import Settings

    return Settings(model=model, commit_chunks=COMMIT_CHUNKS)


def band_limit(scenario: str, articles: list, embedder) -> int | None:
    """The flat/IVF boundary (in chunks) that the scenario's operation crosses."""
    from qa.indexing import passages
    from qa.store import Chunking

    if not scenario.startswith("band"):
        return None
    config = settings(embedder.name)
    chunking = Chunking(config.chunk_tokens, config.overlap_tokens, config.title_tokens)
    counts = [len(passages(article, chunking=chunking, embedder=embedder)[0]) for article in articles[: BASE + ADDED]]
    if scenario == "band-grow":
        return (sum(counts[:BASE]) + sum(counts)) // 2
    return sum(counts)  # band-shrink: the starting index is IVF, 10 of its 54 articles are under half of this


@contextmanager
def small_bands(flat_limit: int | None) -> Iterator[None]:
    from qa import indexing
    from qa.store import vectors

    kept = vectors.FLAT_LIMIT, indexing.QUOTES_BACKFILL_BATCH
    vectors.FLAT_LIMIT = flat_limit or kept[0]
    indexing.QUOTES_BACKFILL_BATCH = BACKFILL_BATCH
    try:
        yield
    finally:
        vectors.FLAT_LIMIT, indexing.QUOTES_BACKFILL_BATCH = kept


def arm(point: str, journal: Path, embedder) -> None:
    """Wrap the functions the points name; kill this process the n-th time it passes the point (none for
    ""). Each SQLite commit is journaled, what the articles table holds after it."""
    from qa import indexing
    from qa.store import files, keyword_segment, keywords, sql, vectors

    name, _, nth = point.partition("#")
    passed: collections.Counter = collections.Counter()

    def at(here: str) -> None:
        passed[here] += 1
        if here == name and passed[here] == int(nth or 1):
            os.kill(os.getpid(), signal.SIGKILL)

    def around(owner, attribute: str, before: str | None, after: str | None = None) -> None:
        original = getattr(owner, attribute)

        def wrapped(*args, **kwargs):
            if before:
                at(before)
            result = original(*args, **kwargs)
            if after:
                at(after)
            return result

        setattr(owner, attribute, wrapped)

    transaction_exit = sql.Transaction.__exit__

    def exit_(self, kind, error, traceback):
        if kind is None:
            at("sql.commit")  # inside the transaction: every write done, COMMIT not yet
        transaction_exit(self, kind, error, traceback)
        if kind is None:
            with journal.open("a", encoding="utf-8") as out:
                stored = dict(self.db.execute("SELECT id, text_hash FROM articles"))
                quotes = self.db.execute("SELECT count(*) FROM quotes").fetchone()[0]
                out.write(json.dumps({"articles": stored, "quotes": quotes}) + "\n")
            at("sql.committed")

    sql.Transaction.__exit__ = exit_
    replace_atomically = files.replace_atomically

    def replace(target: Path, write) -> None:
        def written(temp: str) -> None:
            write(temp)
            at(f"write:{target.name}")  # the new file whole under its temporary name

        replace_atomically(target, written)
        at(f"replaced:{target.name}")

    files.replace_atomically = vectors.replace_atomically = replace

    class RenameHook:  # keywords' view of os: a rename of a finished segment into place passes a point
        def __getattr__(self, attribute: str):
            return getattr(os, attribute)

        @staticmethod
        def rename(source, target) -> None:
            os.rename(source, target)
            at("keywords.renamed")

    keywords.os = RenameHook()
    around(keywords.KeywordIndex, "synced", "keywords.sync")
    around(keywords, "_build", "keywords.build")
    around(keyword_segment.Segment, "write", None, "keywords.written")
    around(keywords, "write_json_atomically", None, "keywords.committed")  # the commit file naming the segments
    build = vectors.VectorIndex.build.__func__
    vectors.VectorIndex.build = classmethod(lambda cls, *a, **k: (at("vectors.build"), build(cls, *a, **k))[1])
    around(vectors, "_trained_ivf", "ivf.train", "ivf.trained")
    around(indexing, "read_quotes", "quotes.find")
    if embedder is not None:
        around(embedder, "embed_documents", "embed")


def child(args: argparse.Namespace) -> None:
    from qa.embed import load_embedder

    embedder = load_embedder(args.model, args.backend) if args.scenario in EMBEDDING else None
    with small_bands(args.flat_limit):
        arm(args.point or "", Path(args.journal), embedder)
        operate(args.scenario, Path(args.folder), corpus(Path(args.articles)), embedder, args.model)


def run_child(args: argparse.Namespace, scenario: str, point: str, folder: Path, journal: Path, limit: int | None) -> int:
    command = [sys.executable, __file__, "--child", "--scenario", scenario, "--point", point, "--folder",
               str(folder), "--journal", str(journal), "--articles", args.articles, "--model", args.model, "--backend", args.backend]
    command += ["--flat-limit", str(limit)] if limit else []
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    if done.returncode not in (0, -signal.SIGKILL):
        raise RuntimeError(f"{scenario} {point or 'uninterrupted'}: child failed\n{done.stderr[-3000:]}")
    return done.returncode


def state(folder: Path, embedder) -> tuple[dict, list[str]]:
    """Open the index; what it holds, and every disagreement between its parts."""
    import numpy as np

    from qa.indexing import QUOTES_BACKFILL_ROWID, QUOTES_BACKFILL_VERSION, QUOTES_VERSION
    from qa.index import Index
    from qa.quotes import EXTRACTOR_VERSION, find_quotes
    from qa.store.keywords import KeywordIndex
    from qa.store.manifest import read_manifest
    from qa.store.vectors import VectorIndex

    problems = []
    with Index.open(folder, embedder=embedder, settings=settings(embedder.name)) as index:
        store = index.store
        db = store.database.connection()
        if db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            problems.append("sqlite integrity_check failed")
        chunks = db.execute("SELECT id, article_id, ordinal, start, end FROM chunks ORDER BY id").fetchall()
        ids = np.array([row[0] for row in chunks], dtype=np.int64)
        on_disk = KeywordIndex.load_newest(folder)
        saved_vectors = VectorIndex.load(folder / "vectors.faiss")
        parts = {
            "vectors": store._vectors.ids(), "chunk table": store._chunks.ids,
            "keywords": np.sort(store._keywords.chunk_ids), "keywords on disk": np.sort(on_disk.chunk_ids),
        }
        problems += [f"{part} ids differ from SQLite's" for part, held in parts.items()
                     if held is None or not np.array_equal(held, ids)]
        if saved_vectors is None:  # it may lag behind SQLite (opening reads the rest), but must be whole
            problems.append("vectors.faiss unreadable or of an older layout")
        generation = store.database.generation()
        if read_manifest(folder).generation != generation or on_disk.generation != generation:
            problems.append("manifest or keywords on disk not of SQLite's generation")
        articles = dict(db.execute("SELECT id, text_hash FROM articles"))
        quotes = db.execute("SELECT article_id, start, end, speaker, role FROM quotes ORDER BY 1, 2, 3").fetchall()
        if any(row[0] not in articles for row in quotes):
            problems.append("quotes of an article not stored")
        current = store.state(QUOTES_VERSION) == EXTRACTOR_VERSION
        done_rowid = (store.state(QUOTES_BACKFILL_ROWID) or 0) if store.state(QUOTES_BACKFILL_VERSION) == EXTRACTOR_VERSION else 0
        for rowid, _, article in store.articles_after(0, 10**6):
            if current or rowid <= done_rowid:
                stored = [row[1:] for row in quotes if row[0] == article.id]
                if stored != [(q.start, q.end, q.speaker, q.role) for q in find_quotes(article)]:
                    problems.append(f"quotes of {article.id} are not the extractor's")
                    break
        searches = {query: [(hit.article_id, hit.start, hit.end) for hit in index.search(query, k=5)] for query in QUERIES}
        held = {"articles": articles, "chunks": chunks, "quotes": quotes, "kind": store._vectors.kind,
                "quotes_current": current, "searches": searches, "quote_count": len(quotes)}
    return held, problems


def check_point(
    args, scenario: str, point: str, setup: Path, work: Path, embedder, reference: dict | None, limit: int | None
) -> dict:
    folder, journal = work / "index", work / "journal.jsonl"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    shutil.copytree(setup, folder)
    started = time.monotonic()
    code = run_child(args, scenario, point, folder, journal, limit)
    result = {"scenario": scenario, "point": point or "uninterrupted", "killed": code == -signal.SIGKILL}
    if point and not result["killed"]:
        result["problems"] = ["the child never reached the point"]
        return result
    with sqlite3.connect(f"file:{setup / 'meta.sqlite'}?mode=ro", uri=True) as db:
        before = {"articles": dict(db.execute("SELECT id, text_hash FROM articles")),
                  "quotes": db.execute("SELECT count(*) FROM quotes").fetchone()[0]}
    commits = [json.loads(line) for line in journal.read_text().splitlines()] if journal.exists() else []
    expected = commits[-1] if commits else before
    try:
        after_kill, problems = state(folder, embedder)
    except Exception as error:  # an index that does not open is what this matrix looks for
        result["problems"] = [f"does not open: {type(error).__name__}: {error}"]
        return result
    if after_kill["articles"] != expected["articles"] or after_kill["quote_count"] != expected["quotes"]:
        problems.append("stored articles/quotes differ from the last commit's")
    strays = [str(path.relative_to(folder)) for path in folder.rglob(".*")]
    if strays:
        problems.append(f"temporaries of the killed write left after the open: {', '.join(strays)}")
    operate(scenario, folder, corpus(Path(args.articles)), embedder, embedder.name)  # the operation again, to completion
    final, more = state(folder, embedder)
    problems += [f"after the re-run: {problem}" for problem in more]
    if reference is not None:
        problems += [f"re-run differs from an uninterrupted run in {key}" for key in
                     ("articles", "chunks", "quotes", "kind", "quotes_current", "searches") if final[key] != reference[key]]
    result.update(problems=problems, commits=len(commits), seconds=round(time.monotonic() - started, 1),
                  final=final)
    return result


def main() -> int:
    args = parser().parse_args()
    if args.child:
        child(args)
        return 0
    from qa.embed import load_embedder

    wanted = [item.split(":", 1) for item in args.points.split(",")] if args.points else [
        (scenario, point) for scenario, points in POINTS.items() for point in points]
    embedder = load_embedder(args.model, args.backend)
    articles = corpus(Path(args.articles))
    print(f"{len(wanted)} points x {args.runs} runs, model {args.model} ({args.backend}); load {os.getloadavg()}", flush=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="crash-matrix-") as temp:
        for run in range(args.runs):
            for scenario in dict.fromkeys(scenario for scenario, _ in wanted):
                limit = band_limit(scenario, articles, embedder)
                with small_bands(limit):
                    setup = Path(temp) / f"setup-{scenario}"
                    shutil.rmtree(setup, ignore_errors=True)
                    prepare(scenario, setup, articles, embedder)
                    reference = check_point(args, scenario, "", setup, Path(temp) / "work", embedder, None, limit)
                    if reference.get("problems"):
                        print(f"uninterrupted {scenario}: {reference['problems']}", flush=True)
                    for name, point in wanted:
                        if name != scenario:
                            continue
                        result = check_point(args, scenario, point, setup, Path(temp) / "work", embedder, reference["final"], limit)
                        result.pop("final", None)
                        results.append({**result, "run": run + 1})
                        print(f"run {run + 1} {scenario:11} {point:26} {'HELD' if not result['problems'] else 'FAILED'}"
                              f" {result.get('seconds', '')}s commits={result.get('commits')}"
                              f" {'; '.join(result['problems'])}", flush=True)
    held = sum(not result["problems"] for result in results)
    print(f"held {held}/{len(results)}; load {os.getloadavg()}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")
    return 0 if held == len(results) else 1


def parser() -> argparse.ArgumentParser:
    from qa.config import DEFAULT_MODEL

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--articles", default=str(ARTICLES), help="JSONL of articles (id, title, text, published, authors)")
    p.add_argument("--model", default=DEFAULT_MODEL)
    p.add_argument("--backend", default="torch", help="embedding backend of the index (torch: quickest to load)")
    p.add_argument("--runs", type=int, default=1)
    p.add_argument("--points", help="scenario:point,... (default: the whole matrix)")
    p.add_argument("--json", help="write every result here")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--flat-limit", type=int, help=argparse.SUPPRESS)
    for name in ("--scenario", "--point", "--folder", "--journal"):
        p.add_argument(name, help=argparse.SUPPRESS)
    return p


if __name__ == "__main__":
    sys.exit(main())
