"""What the server tests share: small indexes of made-up stories, a hit with a cited sentence, the chat
asked through gradio_client, waiting for a condition, and a chat page held back to see a server while it
starts. Gradio and gradio_client are imported only by the helpers that use them: the REST tests do without."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

import numpy as np

import qa.server.app
from qa.index import Index
from qa.types import Answer, Article, Citation, Hit

if TYPE_CHECKING:
    import pytest
    from gradio_client import Client

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
WORDS = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar".split()
PASSAGE = "Talks went on for hours. The minister said the deal was close. Reporters waited outside."
CITED = "The minister said the deal was close."


def article(number: int, *, source: str = "Daily Planet", published: str = "2022-01-10") -> Article:
    rng = np.random.default_rng(number)
    text = ". ".join(" ".join(rng.choice(WORDS, 10)) for _ in range(5)) + "."
    return Article(
        id=f"story-{number}", text=text, title=f"Story {number}", url=f"https://news.example/{number}",
        source=source, published=published,
    )


def three_story_index(folder: Path, embedder) -> Index:
    index = Index.open(folder, embedder=embedder, create=True)
    index.add([article(1), article(2, source="Gazette", published="2021-06-01"), article(3, published="2022-03-05")])
    return index


def hit(**overrides) -> Hit:
    fields = dict(
        article_id="a1", text=PASSAGE, start=100, end=100 + len(PASSAGE), score=0.8125, title="Deal near",
        url="https://news.example/deal", published="2022-01-21", source="Daily Planet",
    )
    return Hit(**{**fields, **overrides})


def citation(source_hit: Hit, number: int = 1) -> Citation:
    start = source_hit.text.index(CITED)
    return Citation(
        number=number, article_id=source_hit.article_id, start=source_hit.start + start,
        end=source_hit.start + start + len(CITED), text=CITED, title=source_hit.title, url=source_hit.url,
        published=source_hit.published, source=source_hit.source,
    )


def answer_of(*hits: Hit, cited: Hit | None = None) -> Answer:
    cited = cited or hits[0]
    return Answer(question="Is a deal near?", text=f"{CITED} [1]", citations=(citation(cited),), hits=hits)


def connect(url: str, **options: Any) -> Client:
    from gradio_client import Client

    return Client(url, verbose=False, analytics_enabled=False, **options)


def ask(client: Client, question: str, *, outlet: str | None = None, since=None, until=None, passages: int = 5):
    """The chat's reply through its /ask endpoint: (the cleared question box, the chat, the sources panel)."""
    from qa.server.chat import ALL_OUTLETS

    return client.predict(question, [], outlet or ALL_OUTLETS, since, until, passages, api_name="/ask")


def reply_text(chat: list[dict]) -> str:
    content = chat[-1]["content"]
    return content if isinstance(content, str) else " ".join(part.get("text", "") for part in content)


def wait_until(condition: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


@contextmanager
def chat_page_held(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """The real chat page, built only once the test sets the event it is given: a server seen while starting."""
    release = threading.Event()
    build = qa.server.app._mounted_page

    def held(*args, **kwargs):
        assert release.wait(60), "the test never let the chat page be built"
        return build(*args, **kwargs)

    monkeypatch.setattr(qa.server.app, "_mounted_page", held)
    try:
        yield release
    finally:
        release.set()
