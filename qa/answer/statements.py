"""A speaker's statement, whole: the parts of one quotation that the reporter split with the attribution
(“I don't have a litmus test,” McConnell said. “I'm for people that get the Republican nomination…”).
A quotation running on into the next paragraph stays in parts: an answer shows one line per quotation.

A quote answer shows the statement rather than whichever part ranks first: the parts are one thing said,
often the topic sits in one part and the point in the other, and a part alone reads as a fragment. The
statement is cited as the article's own span from the first part's opening to the last part's close, so
the reporter's attribution stays between the speaker's quotation marks exactly as published.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from qa.answer.quote_ranking import RankedQuote
from qa.quotes.layout import QUOTATION_RULES

# An attribution between two parts is a clause ("…,” said Dr. Robert R. Redfield, director of the Centers
# for Disease Control and Prevention, in a statement released in mid-July. “…"); more words than this
# between two quotations is the reporter's own narration, and the quotations are two statements.
MAX_GAP_WORDS = 40


def statements(ranked: Sequence[RankedQuote]) -> list[RankedQuote]:
    """``ranked`` with the parts of each split statement joined into one, placed where its best-ranked part
    was and scored as that part."""
    parts_of: dict[tuple[str, str], list[tuple[int, RankedQuote]]] = {}
    for position, ranked_quote in enumerate(ranked):
        key = (ranked_quote.quote.article_id, ranked_quote.quote.speaker)
        parts_of.setdefault(key, []).append((position, ranked_quote))
    joined: list[tuple[int, RankedQuote]] = []
    for parts in parts_of.values():
        parts.sort(key=lambda part: part[1].quote.start)
        group = [parts[0]]
        for part in parts[1:]:
            if _continues(group[-1][1], part[1]):
                group.append(part)
            else:
                joined.append(_statement(group))
                group = [part]
        joined.append(_statement(group))
    joined.sort(key=lambda item: item[0])
    return [ranked_quote for _, ranked_quote in joined]


def _continues(before: RankedQuote, after: RankedQuote) -> bool:
    """Whether ``after`` goes on with ``before``'s statement: the same paragraph, and between them only the
    closing mark, an attribution and the opening mark (no third quotation, no narration of its own)."""
    gap = before.article.text[before.quote.end:after.quote.start]
    return (after.quote.start >= before.quote.end and "\n" not in gap
            and sum(gap.count(mark) for mark in QUOTATION_RULES.marks) == 2 and len(gap.split()) <= MAX_GAP_WORDS)


def _statement(group: Sequence[tuple[int, RankedQuote]]) -> tuple[int, RankedQuote]:
    position, best = min(group, key=lambda part: part[0])
    if len(group) == 1:
        return position, best
    start, end = group[0][1].quote.start, group[-1][1].quote.end
    quote = replace(best.quote, start=start, end=end, text=best.article.text[start:end])
    return position, replace(best, quote=quote)
