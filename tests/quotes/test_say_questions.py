"""Say-questions on real articles: the asked speaker's right quote ranks first (find_quotes and speaker_matches)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from qa.quotes import find_quotes
from qa.quotes.speakers import parse_say_question, speaker_matches
from qa.types import Article

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "quotes"

# -- development set on real articles -------------------------------------------------------------------

_STOPWORDS = set("the a an of to in on about and or for with what did say says said is was be by at it that this".split())


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower().replace("’", "'")) if w not in _STOPWORDS}


def _same_start(text: str, prefix: str) -> bool:
    def normal(s: str) -> str:
        return " ".join(s.replace("’", "'").lower().split())
    return normal(text).startswith(normal(prefix))


def _load_articles(path: Path, ids: set[str]) -> dict[str, Article]:
    articles = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record["id"] in ids:
                articles[record["id"]] = Article(id=record["id"], text=record["text"], title=record.get("title", ""))
    return articles


def say_question_score(entries: list[dict], articles: dict[str, Article]) -> tuple[float, list[str]]:
    """Share of questions whose right quote ranks first among the asked speaker's quotes
    (ranked by words shared with the topic, ties in reading order), with the misses."""
    misses = []
    for entry in entries:
        speaker, topic = parse_say_question(entry["question"])
        quotes = [q for q in find_quotes(articles[entry["article_id"]]) if speaker_matches(speaker, q)]
        ranked = sorted(quotes, key=lambda q: -len(_content_words(topic) & _content_words(q.text)))
        if not ranked or not _same_start(ranked[0].text, entry["quote_prefix"]):
            misses.append(f"{entry['article_id']} {entry['question']!r}: "
                          f"{[(q.speaker, q.text[:40]) for q in ranked[:2]]}")
    return 1 - len(misses) / len(entries), misses


# Both sets: articles drawn at random with a seed, a random quote-bearing paragraph in each, the
# expected speaker and quote written from reading the article before the code ever ran on it.
# dev: 26 questions, 0.46 before tuning, 0.92 after.  holdout: 15 questions from another seed,
# 0.53 when first measured; fixes prompted by its misses then lifted it to 0.80, so it is no longer
# unseen — draw a fresh sample for an unbiased figure.
@pytest.mark.bench_data
@pytest.mark.parametrize("fixture, floor", [("dev_say_questions.jsonl", 0.85), ("holdout_say_questions.jsonl", 0.7)])
def test_say_questions_on_real_articles(bench_dir: Path, fixture: str, floor: float) -> None:
    articles_path = bench_dir / "realtimeqa" / "articles.jsonl"
    lines = (FIXTURES / fixture).read_text(encoding="utf-8").splitlines()
    entries = [json.loads(line) for line in lines if line.strip()]
    score, misses = say_question_score(entries, _load_articles(articles_path, {e["article_id"] for e in entries}))
    print(f"\n{fixture}: right quote first for {score:.2f} of {len(entries)} questions")
    print("\n".join(misses))
    assert score >= floor, misses
