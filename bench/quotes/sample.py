"""Draw quotations at random from the RealTime QA archive, for hand-labelling speaker attribution.

    .venv/bin/python bench/quotes/sample.py [--n 400] [--out ~/.cache/article-qa/quotes-sample.jsonl]

Rule-neutral on purpose: a quotation here is any span between paired quotation marks, found by
qa.text.find_quotations (mark pairing only, no attribution), one span per paragraph part of a
quotation (a multi-paragraph quotation gives one span per paragraph). Spans of fewer than
MIN_WORDS words are dropped. The spans of the whole archive are shuffled with random.Random(SEED)
and taken in that order, at most PER_ARTICLE from any one article. The draw is a prefix of that
order, so a larger --n only appends items: the sample is never reshuffled.

Each line written (OUTSIDE the repository: it holds article text) is
{"rank", "article_id", "start", "end", "quote", "published", "url", "before", "paragraph", "after"}
where quote == text[start:end] (the words inside the marks) and before/after are neighbouring paragraphs.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from qa.text import QuotationRules, find_quotations, split_paragraphs  # noqa: E402

# ../shared/bench next to the main checkout; a worktree under /work/wt sits one level deeper.
ARCHIVE = next(
    (p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if p.is_dir()), ROOT.parent / "shared"
) / "bench" / "realtimeqa" / "articles.jsonl"
SEED = 20261205
MIN_WORDS = 4
PER_ARTICLE = 1
# Curly and straight double quotes and guillemets; a mark's direction is read from its neighbours.
RULES = QuotationRules(marks="“”«»\"", punctuation_as_space=False, opening_restarts=True)
DEFAULT_OUT = Path.home() / ".cache" / "article-qa" / "quotes-sample.jsonl"


@dataclass(frozen=True)
class Span:
    article_id: str
    start: int
    end: int
    paragraph: int


def articles(path: Path = ARCHIVE) -> Iterator[dict]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


def quotation_spans(text: str) -> Iterator[tuple[int, int, int]]:
    """(start, end, paragraph index) of the words inside each quotation part of ``text``."""
    paragraphs = split_paragraphs(text)
    for quotation in find_quotations(text, paragraphs, RULES):
        end = quotation.closing if quotation.closing is not None else paragraphs[quotation.paragraph][1]
        start = quotation.opening + 1
        if len(text[start:end].split()) >= MIN_WORDS:
            yield start, end, quotation.paragraph


def all_spans(by_id: dict[str, dict]) -> list[Span]:
    return [
        Span(article_id, start, end, paragraph)
        for article_id, article in by_id.items()
        for start, end, paragraph in quotation_spans(article["text"])
    ]


def draw(spans: list[Span], n: int, seed: int, per_article: int, exclude: frozenset[str] = frozenset()) -> list[Span]:
    order = list(spans)
    random.Random(seed).shuffle(order)
    taken: dict[str, int] = {}
    sample: list[Span] = []
    for span in order:
        if len(sample) == n:
            break
        if span.article_id in exclude or taken.get(span.article_id, 0) >= per_article:
            continue
        taken[span.article_id] = taken.get(span.article_id, 0) + 1
        sample.append(span)
    return sample


def record(rank: int, span: Span, article: dict) -> dict:
    text = article["text"]
    paragraphs = split_paragraphs(text)

    def paragraph(index: int) -> str:
        return text[slice(*paragraphs[index])] if 0 <= index < len(paragraphs) else ""

    return {
        "rank": rank,
        "article_id": span.article_id,
        "start": span.start,
        "end": span.end,
        "quote": text[span.start : span.end],
        "published": article["published"],
        "url": article["url"],
        "before": paragraph(span.paragraph - 1),
        "paragraph": paragraph(span.paragraph),
        "after": paragraph(span.paragraph + 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    by_id = {article["id"]: article for article in articles()}
    spans = all_spans(by_id)
    sample = draw(spans, args.n, SEED, PER_ARTICLE)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for rank, span in enumerate(sample):
            out.write(json.dumps(record(rank, span, by_id[span.article_id]), ensure_ascii=False) + "\n")
    tmp.replace(args.out)
    print(f"{len(spans)} spans of >= {MIN_WORDS} words in {len({s.article_id for s in spans})} articles; "
          f"drew {len(sample)} (seed {SEED}, <= {PER_ARTICLE} per article) -> {args.out}")


if __name__ == "__main__":
    main()
