"""Answer quality of qa.answer.ask on the RealTimeQA archive in ../shared/bench (never copied here).

    .venv/bin/python bench/answers.py build                      # the dev index (below), if not built yet
    .venv/bin/python bench/answers.py say [--index DIR]          # "what did X say about Y": right quotation first
    .venv/bin/python bench/answers.py sentences [--index DIR] [--as-of]  # gold answer in the answer / passages
    .venv/bin/python bench/answers.py abstain [--index DIR]      # score distributions behind the thresholds

The dev index ($QA_CACHE/answers-dev, or ~/.cache/article-qa/answers-dev) holds the articles of
tests/fixtures/quotes/*_say_questions.jsonl, the gold articles of questions.jsonl and DISTRACTORS other
articles drawn with a fixed seed: 421 articles. `say` always runs on it; `sentences` and `abstain` default
to the full-corpus index ~/.cache/article-qa/rtqa-default when it exists (quotes are extracted into an
index built without them first, once, without re-embedding).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.answer import ask, relevance, verify  # noqa: E402  (after the path set-up above)
from qa.answer.quote_ranking import QuoteSearch, ranked_quotes  # noqa: E402
from qa.index import Index  # noqa: E402
from qa.ingest.common import article_from_dict  # noqa: E402
from qa.quotes.speakers import parse_say_question  # noqa: E402
from qa.types import Answer, Article, Filters  # noqa: E402

BENCH = ROOT.parent / "shared" / "bench" / "realtimeqa"
SAY_FIXTURES = ROOT / "tests" / "fixtures" / "quotes"
SAY_SETS = ("dev_say_questions.jsonl", "holdout_say_questions.jsonl")
UNANSWERABLE = ROOT / "tests" / "fixtures" / "answers" / "unanswerable_questions.jsonl"
DISTRACTORS = 300
DISTRACTOR_SEED = 5  # issue 5


def cache_root() -> Path:
    return Path(os.environ.get("QA_CACHE") or Path.home() / ".cache" / "article-qa")


def dev_index_path() -> Path:
    return cache_root() / "answers-dev"


def full_index_path() -> Path:
    return cache_root() / "rtqa-default"


# -- data ----------------------------------------------------------------------------------------


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def say_entries(name: str) -> list[dict]:
    return read_jsonl(SAY_FIXTURES / name)


def archive_articles(bench: Path = BENCH) -> Iterator[Article]:
    """The archive's articles as `qa ingest` reads them (the outlet taken from the url's host)."""
    path = bench / "articles.jsonl"
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            yield article_from_dict(json.loads(line), f"{path}:{number}")


def dev_article_ids(bench: Path = BENCH) -> set[str]:
    """The say-question articles, the gold articles of questions.jsonl, and DISTRACTORS others drawn with
    a fixed seed from the articles that no say question is about."""
    said = {entry["article_id"] for name in SAY_SETS for entry in say_entries(name)}
    gold = {article_id for question in read_jsonl(bench / "questions.jsonl") for article_id in question["gold"]}
    others = sorted(article.id for article in archive_articles(bench) if article.id not in said)
    return said | gold | set(random.Random(DISTRACTOR_SEED).sample(others, DISTRACTORS))


def open_dev_index(folder: Path | None = None, *, bench: Path = BENCH, embedder=None) -> Index:
    """The dev index, with whatever articles it lacks added first (about 4,000 passages from nothing:
    several minutes on 2 cores; an interrupted build resumes)."""
    index = Index.open(folder or dev_index_path(), embedder=embedder, create=True)
    ids = dev_article_ids(bench)
    missing = ids - set(index.store.known_hashes(sorted(ids)))
    if missing:
        index.add(article for article in archive_articles(bench) if article.id in missing)
    return index


# -- "what did X say about Y" ----------------------------------------------------------------------


def _normal(text: str) -> str:
    return " ".join(text.replace("’", "'").replace("‘", "'").lower().split())


def first_quotation(answer: Answer) -> str | None:
    """The words of the first quotation in a quote answer: the text of its first citation."""
    if answer.kind != "quote" or not answer.citations:
        return None
    return answer.citations[0].text


@dataclass(frozen=True)
class SayResult:
    entry: dict
    answer: Answer

    @property
    def right(self) -> bool:
        first = first_quotation(self.answer)
        return (
            first is not None
            and self.answer.citations[0].article_id == self.entry["article_id"]
            # The answer drops the comma that ends a quoted clause (“…allies,” he said); prefixes keep it.
            and _normal(first).startswith(_normal(self.entry["quote_prefix"]).rstrip(" ,;:"))
        )


def say_results(index: Index, entries: Sequence[dict]) -> list[SayResult]:
    results = []
    for entry in entries:
        answer = ask(index, entry["question"])
        verify(answer, index)
        results.append(SayResult(entry, answer))
    return results


def print_say(index: Index) -> None:
    for name in SAY_SETS:
        entries = say_entries(name)
        started = time.perf_counter()
        results = say_results(index, entries)
        seconds = time.perf_counter() - started
        right = sum(result.right for result in results)
        print(f"{name}: right quotation first for {right}/{len(results)} = {right / len(results):.2f} "
              f"({seconds / len(results):.2f} s a question)")
        for result in results:
            if not result.right:
                first = first_quotation(result.answer)
                print(f"  miss {result.entry['article_id']} {result.entry['question']!r}: {result.answer.kind} "
                      f"{result.answer.citations[0].article_id if result.answer.citations else '-'} "
                      f"{(first or result.answer.text)[:80]!r}")


# -- non-quote questions -------------------------------------------------------------------------------


def gold_answer_in(answer_text: str, gold: str) -> bool:
    """The benchmark's rule: the gold answer, case-insensitive and without quotation marks, in the text."""
    def plain(text: str) -> str:
        return " ".join(re.sub(r"[“”\"‘’']", "", text).lower().split())
    return plain(gold) in plain(answer_text)


def print_sentences(index: Index, *, as_of: bool) -> None:
    questions = read_jsonl(BENCH / "questions.jsonl")
    in_answer = in_passages = abstained = 0
    started = time.perf_counter()
    for question in questions:
        answer = ask(index, question["question"], k=5, filters=Filters(as_of=question["date"] if as_of else None))
        verify(answer, index)
        in_answer += answer.kind != "none" and gold_answer_in(answer.text, question["answer"])
        in_passages += any(gold_answer_in(hit.text, question["answer"]) for hit in answer.hits[:5])
        abstained += answer.kind == "none"
    seconds = time.perf_counter() - started
    count = len(questions)
    print(f"{count} questions{' (as of each question date)' if as_of else ''}: gold answer in the answer text "
          f"{in_answer}/{count} = {in_answer / count:.2f}; in the top-5 passages {in_passages}/{count} = "
          f"{in_passages / count:.2f}; abstained {abstained}; {seconds / count:.2f} s a question")


# -- abstention ----------------------------------------------------------------------------------------


def top_relevance(index: Index, question: str) -> float:
    return relevance(index, question)


def print_abstention(index: Index) -> None:
    answerable = [top_relevance(index, q["question"]) for q in read_jsonl(BENCH / "questions.jsonl")]
    unanswerable = read_jsonl(UNANSWERABLE)
    scores = [top_relevance(index, q["question"]) for q in unanswerable]
    print("sentence answers: best-sentence cosine, 95 benchmark questions vs 55 unanswerable ones")
    print_threshold_table(answerable, scores, [x / 100 for x in range(20, 70, 2)])
    for kind in ("off-topic", "near-topic"):
        kept = [score for score, q in zip(scores, unanswerable) if q["kind"] == kind]
        print(f"  {kind}: {len(kept)} questions, median {statistics.median(kept):.3f}, max {max(kept):.3f}")
    print("quote answers: best quote score, say questions vs their speakers asked about another topic")
    print_quote_abstention(index)


def best_quote_score(index: Index, question: str) -> float:
    speaker, topic = parse_say_question(question)
    ranked = ranked_quotes(index, QuoteSearch(speaker, topic)).ranked
    return ranked[0].score if ranked else 0.0


def print_quote_abstention(index: Index) -> None:
    """Right say questions against the same speakers asked about another question's topic."""
    entries = [entry for name in SAY_SETS for entry in say_entries(name)]
    parsed = [parse_say_question(entry["question"]) for entry in entries]
    mismatched = [f"what did {speaker} say about {parsed[(i + 7) % len(parsed)][1]}?"
                  for i, (speaker, _) in enumerate(parsed)]
    print_threshold_table(
        [best_quote_score(index, entry["question"]) for entry in entries],
        [best_quote_score(index, question) for question in mismatched],
        [x / 100 for x in range(20, 90, 5)],
    )


def print_threshold_table(answerable: list[float], unanswerable: list[float], thresholds: Sequence[float]) -> None:
    for label, scores in (("answerable", sorted(answerable)), ("unanswerable", sorted(unanswerable))):
        deciles = statistics.quantiles(scores, n=10)
        print(f"{label} ({len(scores)}): min {scores[0]:.3f} deciles {' '.join(f'{q:.3f}' for q in deciles)} "
              f"max {scores[-1]:.3f}")
    print("threshold  abstain-precision  abstain-recall  answerable-kept")
    for threshold in thresholds:
        abstain_no = sum(score < threshold for score in unanswerable)
        abstain_yes = sum(score < threshold for score in answerable)
        precision = abstain_no / (abstain_no + abstain_yes) if abstain_no + abstain_yes else 1.0
        print(f"{threshold:9.2f}  {precision:17.2f}  {abstain_no / len(unanswerable):14.2f}  "
              f"{1 - abstain_yes / len(answerable):15.2f}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("task", choices=("say", "sentences", "abstain", "build"))
    parser.add_argument("--index", type=Path, help="index folder (default: see above)")
    parser.add_argument("--as-of", action="store_true", help="sentences: search as on each question's date")
    args = parser.parse_args(argv)
    if args.task in ("say", "build") or not (args.index or full_index_path()).exists():
        index = open_dev_index(args.index)
    else:
        index = Index.open(args.index or full_index_path())
    with index:
        if index.quotes_pending():
            print("extracting quotes of stored articles (once)…", file=sys.stderr)
            index.ensure_quotes()
        if args.task == "say":
            print_say(index)
        elif args.task == "sentences":
            print_sentences(index, as_of=args.as_of)
        elif args.task == "abstain":
            print_abstention(index)
    return 0


if __name__ == "__main__":
    sys.exit(main())
