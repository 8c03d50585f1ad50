"""What grouping wire stories costs at ingest (issue 13, item 4).

The same slice of RealTime QA articles is ingested into a fresh index with the story grouping and without
it (qa.store.stories.signature replaced by one returning None, which leaves every article out of the
grouping), in alternating order round after round, so drift in machine load hits both. Each ingest runs
in a fresh process (the model loaded before the clock starts), so that the import of datasketch (with
scipy), once per process, is counted too. Also times the signatures alone, and, inside each ingest with
the grouping, the time spent in it (signatures, and the grouping's share of each commit).

    .venv/bin/python bench/stories_ingest.py --articles 300 --rounds 3 [--corpus ../shared/bench/realtimeqa/articles.jsonl]
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT.parent / "shared" / "bench" / "realtimeqa"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=300, help="how many articles of the slice (from the start)")
    parser.add_argument("--start", type=int, default=0, help="where the slice starts in articles.jsonl")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=BENCH / "articles.jsonl")
    parser.add_argument("--one", choices=("with", "without", "signatures"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args)))
        return

    child = [sys.executable, __file__, "--articles", str(args.articles), "--start", str(args.start), "--corpus", str(args.corpus)]
    alone = json.loads(subprocess.run([*child, "--one", "signatures"], check=True, capture_output=True, text=True).stdout)
    print(f"slice: {alone['articles']} articles from {args.start}, {alone['words']} words")
    print(f"datasketch import: {alone['import']:.2f} s; signatures alone: {alone['seconds']:.2f} s "
          f"({1000 * alone['seconds'] / alone['articles']:.1f} ms an article)")
    seconds: dict[str, list[float]] = {"with": [], "without": []}
    for round_number in range(args.rounds):
        order = ("with", "without") if round_number % 2 == 0 else ("without", "with")
        for kind in order:
            result = json.loads(subprocess.run([*child, "--one", kind], check=True, capture_output=True, text=True).stdout)
            seconds[kind].append(result["seconds"])
            inside = f", of which grouping {result['grouping']:.2f} s" if kind == "with" else ""
            print(f"round {round_number + 1} {kind:>7}: {result['seconds']:.1f} s{inside}, {result['stories']}", flush=True)
    for kind, values in seconds.items():
        print(f"{kind:>7}: {' / '.join(f'{v:.1f}' for v in values)} s; best {min(values):.1f}, median {statistics.median(values):.1f}")
    print(
        f"cost of grouping: {100 * (min(seconds['with']) / min(seconds['without']) - 1):+.1f}% (best of each), "
        f"{100 * (statistics.median(seconds['with']) / statistics.median(seconds['without']) - 1):+.1f}% (medians)"
    )


def run_one(args: argparse.Namespace) -> dict:
    from qa.ingest import read_jsonl
    from qa.types import Article

    slice_ = itertools.islice(read_jsonl(args.corpus), args.start, args.start + args.articles)
    articles = [item for item in slice_ if isinstance(item, Article)]
    if args.one == "signatures":
        started = time.perf_counter()
        import datasketch  # noqa: F401  (timed apart from the signatures)

        imported = time.perf_counter() - started
        from qa.store import stories

        started = time.perf_counter()
        for article in articles:
            stories.signature(article.text)
        words = sum(len(article.text.split()) for article in articles)
        return {"articles": len(articles), "words": words, "import": imported, "seconds": time.perf_counter() - started}

    from qa.config import DEFAULT_MODEL
    from qa.embed import DEFAULT_BACKEND, load_embedder
    from qa.index import Index
    from qa.store import stories

    spent = [0.0]
    if args.one == "without":
        stories.signature = lambda text: None
    else:  # the time the grouping itself takes inside the ingest, immune to drift between runs
        stories.signature, stories.record = _timed(stories.signature, spent), _timed(stories.record, spent)
    embedder = load_embedder(DEFAULT_MODEL, DEFAULT_BACKEND)
    embedder.embed_documents(["warm up"])
    with tempfile.TemporaryDirectory() as folder:
        with Index.open(Path(folder) / "ix", embedder=embedder, create=True) as index:
            started = time.perf_counter()
            index.add(articles)
            took = time.perf_counter() - started
            return {"seconds": took, "grouping": spent[0], "stories": index.store.story_counts()}


def _timed(function, spent: list[float]):
    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - started

    return timed


if __name__ == "__main__":
    main()
