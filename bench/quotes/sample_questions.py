"""Draw the quotations that "what did X say about Y?" benchmark questions are written from.

    .venv/bin/python bench/quotes/sample_questions.py draw [--n DRAW] [--out ~/.cache/article-qa/quotes-questions-candidates.jsonl]
    .venv/bin/python bench/quotes/sample_questions.py split bench/quotes/questions.jsonl bench/quotes/decline.jsonl

`draw` (seed SEED, different from sample.py's): the quotation spans of sample.py (mark pairing
only, here of at least MIN_WORDS words so that a quotation has a topic) are grouped into
STRATA by the section in the article's URL (the archive has no category field), each
stratum's spans shuffled; candidates are then dealt round-robin over the strata in a shuffled
stratum order, at most one per article, skipping the articles of the attribution sample
(sample.py) and of tests/fixtures/quotes (the questions the rules were written against).
Each candidate gets a kind from consecutive seeded permutations of KINDS, so each kind is a
quarter of the candidates. Candidates are read in rank order by a person who writes the
question or drops the candidate (no named speaker, not a quotation, role asked but the
article gives none, or that kind already has its quota); the drops are recorded in
question_drops.jsonl. The candidate file holds article text and lives outside the repository.

`split` rewrites the "split" field of each file, kind by kind and reading batch by reading batch
(BATCHES: the draw was read as a prefix and later extended, and an extension must not move a
question already assigned): the ids of one kind in one batch are sorted, shuffled with
random.Random(f"{SPLIT_SEED}-{kind}{suffix}") and the first half (rounded up) is dev, the rest test.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sample import DEFAULT_OUT as ATTRIBUTION_SAMPLE  # noqa: E402
from sample import ROOT, Span, all_spans, articles, quotation_spans, record  # noqa: E402
from sample import SEED as ATTRIBUTION_SEED  # noqa: E402

SEED = 4711
SPLIT_SEED = 90210
MIN_WORDS = 6
KINDS = ("full", "surname", "role", "paraphrase")
# URL path segments -> stratum; the first segment (after dates and outlet prefixes) that names one wins.
SECTIONS = {
    "politics": "politics", "elections": "politics",
    "business": "business", "money": "business", "investing": "business", "economy": "business",
    "energy": "business", "tech": "business", "cars": "business", "success": "business",
    "business-food": "business", "homes": "business", "food": "business", "personalfinance": "business",
    "sport": "sports", "sports": "sports", "tennis": "sports", "football": "sports", "golf": "sports",
    "olympics": "sports", "mlb": "sports", "nfl": "sports", "nba": "sports", "nhl": "sports", "wnba": "sports",
    "soccer": "sports", "college": "sports", "ncaaf": "sports",
    "entertainment": "culture", "life": "culture", "music": "culture", "movies": "culture", "tv": "culture",
    "books": "culture", "media": "culture", "style": "culture", "travel": "culture", "celebrities": "culture",
    "dining": "culture", "society": "culture",
    "health": "health", "science-health": "health",
    "world": "world", "europe": "world", "asia": "world", "uk": "world", "americas": "world",
    "middleeast": "world", "china": "world", "africa": "world", "australia": "world", "india": "world",
    "world-news": "world", "uk-news": "world",
}
STRATA = ("politics", "business", "sports", "culture", "health", "world", "us")
FIXTURES = ROOT / "tests" / "fixtures" / "quotes"
DEFAULT_OUT = Path.home() / ".cache" / "article-qa" / "quotes-questions-candidates.jsonl"
# Reading batches of the draw, as (first rank, split seed suffix): ranks 0-419 were split together; ranks
# 420-719 (only their role candidates read) are split on their own, and so are ranks 720 on (all four kinds
# read). Decline ids ("d…") are all one batch.
BATCHES = ((0, ""), (420, "-2"), (720, "-3"))
DRAW = 956  # candidates drawn and read (each extension keeps the earlier draw as its prefix)


def stratum(url: str) -> str:
    parts = [part for part in urlparse(url).path.split("/") if part and not part.isdigit()]
    for part in parts[:4]:
        if part in SECTIONS:
            return SECTIONS[part]
    return "us"


def excluded_articles(by_id: dict[str, dict]) -> frozenset[str]:
    from sample import PER_ARTICLE, draw

    attribution = draw(all_spans(by_id), 190, ATTRIBUTION_SEED, PER_ARTICLE)
    fixtures = {
        json.loads(line)["article_id"]
        for path in sorted(FIXTURES.glob("*.jsonl"))
        for line in path.open(encoding="utf-8")
        if line.strip()
    }
    return frozenset({span.article_id for span in attribution} | fixtures)


def candidates(by_id: dict[str, dict], n: int) -> list[tuple[Span, str, str]]:
    rng = random.Random(SEED)
    excluded = excluded_articles(by_id)
    pools: dict[str, list[Span]] = defaultdict(list)
    for article_id, article in by_id.items():
        if article_id in excluded:
            continue
        for start, end, paragraph in quotation_spans(article["text"]):
            if len(article["text"][start:end].split()) >= MIN_WORDS:
                pools[stratum(article["url"])].append(Span(article_id, start, end, paragraph))
    for name in STRATA:
        rng.shuffle(pools[name])
    order = list(STRATA)
    rng.shuffle(order)
    cursors = dict.fromkeys(STRATA, 0)
    taken: set[str] = set()
    chosen: list[tuple[Span, str]] = []
    while len(chosen) < n and any(cursors[s] < len(pools[s]) for s in order):
        for name in order:
            pool = pools[name]
            while cursors[name] < len(pool) and pool[cursors[name]].article_id in taken:
                cursors[name] += 1
            if cursors[name] < len(pool) and len(chosen) < n:
                span = pool[cursors[name]]
                taken.add(span.article_id)
                chosen.append((span, name))
    kinds: list[str] = []
    while len(kinds) < len(chosen):
        block = list(KINDS)
        rng.shuffle(block)
        kinds.extend(block)
    return [(span, name, kind) for (span, name), kind in zip(chosen, kinds)]


def batch_suffix(row_id: str) -> str:
    rank = int(row_id[1:]) if row_id.startswith("q") else 0
    return [suffix for first, suffix in BATCHES if rank >= first][-1]


def dev_ids(rows: list[dict]) -> set[str]:
    """The ids the seeded rule puts in dev: per kind and reading batch, the first half (rounded up)."""
    dev: set[str] = set()
    for group in sorted({(row["kind"], batch_suffix(row["id"])) for row in rows}):
        ids = sorted(row["id"] for row in rows if (row["kind"], batch_suffix(row["id"])) == group)
        random.Random(f"{SPLIT_SEED}-{group[0]}{group[1]}").shuffle(ids)
        dev.update(ids[: (len(ids) + 1) // 2])
    return dev


def split(paths: list[Path]) -> None:
    for path in paths:
        rows = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
        dev = dev_ids(rows)
        tmp = path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as out:
            for row in rows:
                row["split"] = "dev" if row["id"] in dev else "test"
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        tmp.replace(path)
        print(f"{path}: {len(dev)} dev, {len(rows) - len(dev)} test")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    draw_command = commands.add_parser("draw")
    draw_command.add_argument("--n", type=int, default=DRAW)
    draw_command.add_argument("--out", type=Path, default=DEFAULT_OUT)
    split_command = commands.add_parser("split")
    split_command.add_argument("files", type=Path, nargs="+")
    args = parser.parse_args()
    if args.command == "split":
        split(args.files)
        return
    by_id = {article["id"]: article for article in articles()}
    chosen = candidates(by_id, args.n)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for rank, (span, name, kind) in enumerate(chosen):
            row = record(rank, span, by_id[span.article_id]) | {"stratum": name, "kind": kind}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    tmp.replace(args.out)
    counts = {name: sum(1 for _, s, _ in chosen if s == name) for name in STRATA}
    print(f"{len(chosen)} candidates (seed {SEED}) by stratum {counts} -> {args.out}")
    print(f"attribution sample (excluded) is at {ATTRIBUTION_SAMPLE}")


if __name__ == "__main__":
    main()
