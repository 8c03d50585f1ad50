"""Answers written by a language model from numbered passages, held to the passages they cite.

The model sees the retrieved passages as [1]..[k] and is asked to cite them. Its reply is then checked:
markers that point to no passage are dropped, the passages it did cite are renumbered 1..n in order of
first use, and quotation marks around words that no cited passage contains are removed, so the model
cannot put words in anyone's mouth. A reply that cites no passage at all is not used, nor one that fails
verify(): the extractive answer is shown instead, as when the model cannot be reached.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Iterator, Sequence

from qa.answer.llm import LLMError, Message, stream_chat
from qa.answer.verify import VerificationError, verify
from qa.types import Answer, Citation, Hit

if TYPE_CHECKING:
    from qa.answer.compose import Request
    from qa.config import LLMConfig
    from qa.index import Index

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "You answer questions about news articles using only the numbered passages you are given. "
    "Answer in one to three short sentences. After each sentence, write the number of the passage it "
    "comes from in square brackets, like [1]. If the passages do not answer the question, say so."
)
_MARKER = re.compile(r"\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_QUOTATION = re.compile(r"“([^”]{1,600})”|\"([^\"]{1,600})\"")


def generated(
    index: Index, request: Request, config: LLMConfig, extractive: Answer, passages: Sequence[Hit]
) -> Iterator[str | Answer]:
    """The model's answer from ``passages`` as it streams, then the checked Answer, or ``extractive``."""
    pieces: list[str] = []
    try:
        for piece in stream_chat(config, prompt(request.question.standalone, passages)):
            pieces.append(piece)
            yield piece
    except LLMError as error:
        log.warning("language model failed, answering extractively: %s", error)
        yield extractive
        return
    yield _checked(index, request, "".join(pieces), passages) or extractive


def _checked(index: Index, request: Request, reply: str, passages: Sequence[Hit]) -> Answer | None:
    """The reply as an Answer that holds up; None (and why, logged) when it cites nothing or fails verify()."""
    answer = generated_answer(request.question.asked, reply, passages)
    if answer is None:
        log.info("the language model cited no passage; answering extractively")
        return None
    answer = replace(answer, text=request.with_reading(answer.text))
    try:
        verify(answer, index)
    except VerificationError as error:
        log.warning("generated answer failed verification, answering extractively: %s", error)
        return None
    return answer


def prompt(question: str, hits: Sequence[Hit]) -> list[Message]:
    passages = "\n\n".join(f"[{number}] {_heading(hit)}\n{hit.text}" for number, hit in enumerate(hits, 1))
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": f"Passages:\n\n{passages}\n\nQuestion: {question}"},
    ]


def _heading(hit: Hit) -> str:
    facts = ", ".join(part for part in (hit.source, hit.published) if part)
    return f"{hit.title} ({facts})" if facts else hit.title


def generated_answer(question: str, reply: str, hits: Sequence[Hit]) -> Answer | None:
    """The model's reply as an Answer citing exactly the passages it used; None if it used none."""
    renumbered: dict[int, int] = {}  # passage number → citation number

    def keep_valid(match: re.Match[str]) -> str:
        numbers = [int(n) for n in re.findall(r"\d+", match.group(1)) if 1 <= int(n) <= len(hits)]
        for number in numbers:
            renumbered.setdefault(number, len(renumbered) + 1)
        return "".join(f" [{renumbered[n]}]" for n in dict.fromkeys(numbers))

    text = _MARKER.sub(keep_valid, reply).strip()
    if not renumbered:
        return None
    cited = [hits[number - 1] for number in renumbered]
    citations = tuple(
        Citation(
            number=index, article_id=hit.article_id, start=hit.start, end=hit.end, text=hit.text, title=hit.title,
            url=hit.url, published=hit.published, source=hit.source, page=hit.page,
        )
        for index, hit in enumerate(cited, 1)
    )
    text = _unquote_unverified(text, [hit.text for hit in cited])
    return Answer(question=question, text=text, citations=citations, hits=tuple(hits), kind="generated")


def _unquote_unverified(text: str, passages: Sequence[str]) -> str:
    """Drop the quotation marks around words that none of the cited passages contains verbatim."""
    def check(match: re.Match[str]) -> str:
        words = match.group(1) or match.group(2)
        return match.group(0) if any(words in passage for passage in passages) else words

    return _QUOTATION.sub(check, text)
