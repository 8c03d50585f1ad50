"""Another embedder in the quote ranking, side by side with the shipped one, on the dev questions of
bench/quotes: is the ranking inside one speaker's quotations bounded by all-MiniLM-L6-v2?

    .venv/bin/python bench/quote_embedders.py --model DIR [--index ~/.cache/article-qa/quotes-eval-s9b]

DIR is any sentence-transformers model directory. For each dev question the shipped signals are read
(`quote_signals`); the dense term, cosine(topic, the quotation's framing), is then recomputed with DIR's
model over the same candidates, alone ("framing"), over the quotation's own words ("own words"), and as
the larger of the two, all other terms and weights unchanged. A variant counts a say question when the
statement of its best-scored quotation is the labelled one and scores above a decline bar set just over
the best-scored dev decline question, so every row keeps all dev declines, as `quote_questions.py tune`
does. The index is only read.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from quote_questions import EVAL_INDEX, QUOTES, _same_words, _statement_of_each, read_jsonl  # noqa: E402

from qa.answer.question import Question  # noqa: E402
from qa.answer.quote_ranking import WEIGHTS, QuoteSearch, QuoteSignals, quote_signals  # noqa: E402
from qa.index import Index  # noqa: E402
from qa.quotes.framing import framing_span  # noqa: E402
from qa.types import Filters  # noqa: E402


@dataclass(frozen=True)
class _Row:
    """One dev question whose speaker resolves to someone with quotations."""

    kind: str  # "say" or "decline"
    signals: QuoteSignals
    topic: str
    framings: list[str]  # of each candidate quotation, as its vector was embedded from
    right: np.ndarray | None  # say: whether each candidate's statement is the labelled one

    @property
    def own_words(self) -> list[str]:
        return [quote.text for quote in self.signals.quotes]


def _rows(index: Index) -> list[_Row]:
    rows = []
    for kind, name in (("say", "questions.jsonl"), ("decline", "decline.jsonl")):
        for question in read_jsonl(QUOTES / name):
            said = Question.read(question["question"]).said
            if question["split"] != "dev" or said is None:
                continue
            signals = quote_signals(index, QuoteSearch(said.speaker, said.topic, Filters(as_of=question["as_of"])))
            if not signals.quotes:
                continue
            right = None
            if kind == "say":
                article = index.article(question["article_id"])
                gold = article.text[question["start"]:question["end"]] if article else ""
                right = np.array([(q.article_id == question["article_id"] and q.start < question["end"]
                                   and question["start"] < q.end) or _same_words(q.text, gold)
                                  for q in _statement_of_each(signals)])
            framings = [a.text[slice(*framing_span(a.text, q.start, q.end))]
                        for q, a in zip(signals.quotes, signals.articles)]
            rows.append(_Row(kind, signals, said.topic or said.speaker, framings, right))
    return rows


def _counted(rows: list[_Row], dense_of: Callable[[_Row], np.ndarray]) -> tuple[int, int]:
    """(say questions right first and above the bar, right first at any score)."""
    scored = []
    for row in rows:
        scores = row.signals.scores(WEIGHTS) - row.signals.dense + dense_of(row)
        best = int(np.argmax(scores))
        scored.append((row.kind, float(scores[best]), row.right is not None and bool(row.right[best])))
    bar = max(score for kind, score, _ in scored if kind == "decline") + 1e-6
    return sum(ok and score >= bar for _, score, ok in scored), sum(ok for _, _, ok in scored)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, required=True, help="a sentence-transformers model directory")
    parser.add_argument("--index", type=Path, default=EVAL_INDEX)
    args = parser.parse_args()
    from sentence_transformers import SentenceTransformer

    with Index.open(args.index) as index:
        rows = _rows(index)
    texts = sorted({text for row in rows for text in [row.topic, *row.framings, *row.own_words]})
    model = SentenceTransformer(str(args.model), device="cpu")
    started = time.perf_counter()
    vectors = dict(zip(texts, model.encode(texts, batch_size=32, normalize_embeddings=True)))
    seconds = time.perf_counter() - started

    def framing(row: _Row) -> np.ndarray:
        return np.array([vectors[text] @ vectors[row.topic] for text in row.framings])

    def own(row: _Row) -> np.ndarray:
        return np.array([vectors[text] @ vectors[row.topic] for text in row.own_words])

    says = sum(row.kind == "say" for row in rows)
    print(f"{says} dev say and {len(rows) - says} decline questions with quotations; {len(texts)} texts "
          f"embedded by {args.model} in {seconds:.0f} s")
    variants: list[tuple[str, Callable[[_Row], np.ndarray]]] = [
        ("shipped (stored MiniLM vectors)", lambda row: row.signals.dense), ("--model: framing", framing),
        ("--model: own words", own), ("--model: max(framing, own words)", lambda row: np.maximum(framing(row), own(row)))]
    for name, dense_of in variants:
        above, first = _counted(rows, dense_of)
        print(f"{name:33s} right first above the bar {above:3d}   right first {first:3d}")


if __name__ == "__main__":
    main()
