"""A quotation's framing: the reporter's words around it, which often name what it is about when the
speaker's own words do not ("…,” Blinken said, referring to the collective defense provision").

The framing span covers the quote, the words before it back into the previous paragraph and the rest of
its own paragraph, each side capped; it is what a quote's vector is embedded from and what the keyword
side of quote ranking reads, so a topic named only by the reporter still finds the quote.
"""

from __future__ import annotations

import re

BEFORE_CHARACTERS = 160  # reaches the lead-in sentence, or the end of the paragraph before
AFTER_CHARACTERS = 80  # reaches "…,” Blinken said, referring to …"
_WORD_EDGE = re.compile(r"\s")


def framing_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of ``text`` framing the quotation ``text[start:end]``: at most BEFORE_CHARACTERS before
    it (within the paragraph before and its own) and AFTER_CHARACTERS after it (within its paragraph),
    cut at spaces, so the framing never starts or ends inside a word."""
    own_paragraph_start = text.rfind("\n", 0, start) + 1
    previous_end = own_paragraph_start
    while previous_end > 0 and text[previous_end - 1].isspace():  # blank lines between paragraphs
        previous_end -= 1
    before_paragraph_start = text.rfind("\n", 0, previous_end) + 1 if previous_end else 0
    floor = max(before_paragraph_start, start - BEFORE_CHARACTERS)
    paragraph_end = text.find("\n", end)
    ceiling = min(len(text) if paragraph_end < 0 else paragraph_end, end + AFTER_CHARACTERS)
    first = floor
    if floor > 0 and not text[floor - 1].isspace():
        edge = _WORD_EDGE.search(text, floor, start)
        first = edge.end() if edge else start
    last = ceiling
    if ceiling < len(text) and not text[ceiling].isspace():
        edge = text.rfind(" ", end, ceiling)
        last = edge if edge >= 0 else end
    while first < start and text[first].isspace():
        first += 1
    while last > end and text[last - 1].isspace():
        last -= 1
    return first, last
