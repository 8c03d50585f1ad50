"""Answer quality of qa.answer.ask on the RealTimeQA archive in ../shared/bench (never copied here).

    .venv/bin/python bench/answers.py say [--index DIR]          # "what did X say about Y": right quotation first
    .venv/bin/python bench/answers.py sentences [--index DIR]    # gold answer in the answer text / in the passages
    .venv/bin/python bench/answers.py abstain [--index DIR]      # top-score distributions and the abstention threshold

`say` runs end to end over an index of the articles of tests/fixtures/quotes/*_say_questions.jsonl plus
DISTRACTORS other articles of the same file (built once into $QA_CACHE/answers-dev, or
~/.cache/article-qa/answers-dev). `sentences` and `abstain` default to the full-corpus index
~/.cache/article-qa/rtqa-default when it exists, else the same dev index.
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
from qa.index import Index  # noqa: E402
from qa.types import Answer, Article  # noqa: E402

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
    with (bench / "articles.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            yield Article(
                id=record["id"], text=record["text"], title=record.get("title") or "", url=record.get("url") or "",
                published=record.get("published") or "", authors=tuple(record.get("authors") or ()),
                source=record.get("source") or "",
            )


def dev_article_ids(bench: Path = BENCH) -> set[str]:
    """The say-question articles and DISTRACTORS others drawn with a fixed seed."""
    wanted = {entry["article_id"] for name in SAY_SETS for entry in say_entries(name)}
    others = sorted(article.id for article in archive_articles(bench) if article.id not in wanted)
    return wanted | set(random.Random(DISTRACTOR_SEED).sample(others, DISTRACTORS))


def open_dev_index(folder: Path | None = None, *, bench: Path = BENCH, embedder=None) -> Index:
    """The dev index, built first if missing (about 3,000 passages: a few minutes on 2 cores)."""
    folder = folder or dev_index_path()
    complete = folder / "complete.json"
    ids = dev_article_ids(bench)
    index = Index.open(folder, embedder=embedder, create=True)
    if not complete.is_file():
        index.add(article for article in archive_articles(bench) if article.id in ids)
        complete.write_text(json.dumps({"articles": len(ids), "seed": DISTRACTOR_SEED}) + "\n", encoding="utf-8")
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
            and _normal(first).startswith(_normal(self.entry["quote_prefix"]))
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
        answer = ask(index, question["question"], k=5, as_of=question["date"] if as_of else None)
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
    answerable = [q["question"] for q in read_jsonl(BENCH / "questions.jsonl")]
    unanswerable = [q["question"] for q in read_jsonl(UNANSWERABLE)]
    scores_yes = sorted(top_relevance(index, q) for q in answerable)
    scores_no = sorted(top_relevance(index, q) for q in unanswerable)
    for label, scores in (("answerable", scores_yes), ("unanswerable", scores_no)):
        quantiles = statistics.quantiles(scores, n=10)
        print(f"{label} ({len(scores)}): min {scores[0]:.3f} deciles {' '.join(f'{q:.3f}' for q in quantiles)} "
              f"max {scores[-1]:.3f}")
    print("threshold  abstain-precision  abstain-recall  answerable-kept")
    for threshold in sorted({round(x / 100, 2) for x in range(20, 70, 2)}):
        abstain_no = sum(score < threshold for score in scores_no)
        abstain_yes = sum(score < threshold for score in scores_yes)
        precision = abstain_no / (abstain_no + abstain_yes) if abstain_no + abstain_yes else 1.0
        print(f"{threshold:9.2f}  {precision:17.2f}  {abstain_no / len(scores_no):14.2f}  "
              f"{1 - abstain_yes / len(scores_yes):15.2f}")


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
