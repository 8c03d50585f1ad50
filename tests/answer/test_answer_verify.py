"""verify() (qa/answer/verify.py) catches what a reader would be misled by."""

from __future__ import annotations

from dataclasses import replace

import pytest

from qa.answer import VerificationError, ask, verify
from qa.index import Index
from qa.types import Citation

pytestmark = pytest.mark.minilm


def test_verify_rejects_tampered_answers(index: Index) -> None:
    answer = ask(index, "what did Blinken say about Article 5?")
    verify(answer, index)
    first = answer.citations[0]
    shifted = replace(first, start=first.start + 1, end=first.end + 1)
    reworded = answer.text.replace("extends to", "covers")
    with pytest.raises(VerificationError, match="exact span"):
        verify(replace(answer, citations=(shifted, *answer.citations[1:])), index)
    with pytest.raises(VerificationError, match="not right after"):
        verify(replace(answer, text=reworded), index)
    with pytest.raises(VerificationError, match="does not name"):
        verify(replace(answer, text=answer.text.replace("Antony Blinken", "Sergey Lavrov", 1)), index)
    unused = Citation(len(answer.citations) + 1, first.article_id, first.start, first.end, first.text, first.title,
                      first.url, first.published, first.source)
    with pytest.raises(VerificationError, match="markers"):
        verify(replace(answer, citations=(*answer.citations, unused)), index)
    with pytest.raises(VerificationError, match="outlet"):
        verify(replace(answer, citations=(replace(first, source="Reuters"), *answer.citations[1:])), index)
