"""Serve the web chat and the REST API, building the index from data/sample/ first if there is none.

    python app.py [--index DIR] [--host 127.0.0.1] [--port 7860] [--auth-token TOKEN] [--max-upload-mb 20]

The same as `qa serve`, plus the first-run build. Open http://127.0.0.1:7860/ once it says it is serving."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from qa.cli import main as qa
from qa.config import index_path
from qa.errors import QAError

SAMPLE_ARTICLES = Path(__file__).resolve().parent / "data" / "sample"


def build_sample_index(folder: str) -> None:
    """Index the sample articles into ``folder`` unless an index is already there (nothing is re-embedded)."""
    from qa.index import Index
    from qa.ingest import load_articles
    from qa.store import Store

    if Store.exists(folder):
        return
    print(f"building {folder}/ from {SAMPLE_ARTICLES} …", file=sys.stderr)
    with Index.open(folder, create=True) as index:
        report = index.add(load_articles(SAMPLE_ARTICLES))
    print(f"added {report.added} articles, {report.chunks} chunks", file=sys.stderr)


def run(argv: Sequence[str]) -> int:
    if {"-h", "--help"} & set(argv):
        return qa(["serve", "--help"])
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--index", default=index_path())
    known, _ = options.parse_known_args(argv)
    try:
        build_sample_index(known.index)
    except QAError as error:
        print(f"app.py: error: {error}", file=sys.stderr)
        return 2
    return qa(["serve", *argv])


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
