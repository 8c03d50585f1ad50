"""A speaker's timeline: what one person said (about a topic), oldest first, each quotation an exact span
of its article (a statement split by its attribution whole, as a quote answer gives it), and the same
quotation carried by several articles listed once with the others in ``also_reported_by``.

    qa quotes Blinken --about "Article 5"          GET /api/quotes?speaker=Blinken&about=Article+5
    chat: "what has Blinken said about Article 5?"  or  "Blinken on Article 5 over time"
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from qa.answer.compose import Citations, context_span
from qa.answer.quote import MIN_QUOTE_SCORE
from qa.answer.quote_ranking import MIN_WORDS, QuoteSearch, RankedQuote, quotation_words, ranked_quotes
from qa.answer.statements import statements
from qa.errors import QAError
from qa.quotes.speakers import family_name
from qa.types import Answer, Filters, Hit

if TYPE_CHECKING:
    from qa.answer.compose import Request
    from qa.index import Index

# A quotation belongs on a topic's timeline when it scores this much (quote_ranking's scale) for the topic:
# lower than the bar of one best quote (MIN_QUOTE_SCORE), since a timeline lists every quotation on the
# topic, not the one that answers best. But a timeline whose best quotation would not answer "what did X
# say about Y?" is no timeline of that topic: it is empty, as that answer declines.
MIN_TIMELINE_SCORE = 0.25
MAX_CHAT_ITEMS = 12  # a chat answer lists the earliest ones and says how many more the API gives


@dataclass(frozen=True)
class Report:
    """Another article carrying the same quotation."""

    article_id: str
    source: str
    url: str
    published: str


@dataclass(frozen=True)
class TimelineQuote:
    text: str
    published: str
    article_id: str
    start: int
    end: int
    source: str
    url: str
    also_reported_by: tuple[Report, ...] = ()


@dataclass(frozen=True)
class Timeline:
    speaker: str  # the person the phrase was resolved to ("" when no one)
    quotes: tuple[TimelineQuote, ...] = ()
    asked: str = ""  # the speaker as asked
    about: str = ""
    others: tuple[str, ...] = field(default=())  # other people the phrase fits

    def text(self) -> str:
        """The timeline as `qa quotes` prints it: a heading, then each quotation with its date, outlet and place."""
        about = f" about {self.about}" if self.about else ""
        if not self.quotes:
            return f"no quotation of {self.speaker or self.asked}{about}"
        lines = [f"{self.speaker}: {len(self.quotes)} quotations{about}"]
        for item in self.quotes:
            also = f" (also in {len(item.also_reported_by)} more)" if item.also_reported_by else ""
            lines += [f"{item.published or 'undated'}  {item.source or item.article_id}{also}", f"    “{item.text}”",
                      f"    {item.url or item.article_id} chars {item.start}-{item.end}"]
        if self.others:
            lines.append(f"(“{self.asked}” also fits: {', '.join(self.others[:5])})")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["quotes"] = [asdict(quote) | {"also_reported_by": [asdict(r) for r in quote.also_reported_by]}
                          for quote in self.quotes]
        data["others"] = list(self.others)
        return data


def speaker_timeline(index: Index, speaker: str, *, about: str = "", filters: Filters = Filters()) -> Timeline:
    """The quotations of the person ``speaker`` names (about ``about``, when given), oldest first."""
    if not speaker.strip():
        raise QAError("speaker: give a name or role, e.g. Blinken or the secretary of state")
    # a timeline lists them all, so every one is checked for being a namesake's
    ranking = ranked_quotes(index, QuoteSearch(speaker.strip(), about.strip(), filters), namesake_checks=None)
    if ranking.resolution is None:
        return Timeline("", (), speaker, about)
    kept = [r for r in statements(ranking.ranked) if not about.strip() or r.score >= MIN_TIMELINE_SCORE]
    if about.strip() and not any(r.score >= MIN_QUOTE_SCORE for r in kept):
        kept = []
    kept = [r for r in kept if len(quotation_words(r.quote.text)) >= MIN_WORDS]
    return Timeline(ranking.resolution.name, tuple(_merged(kept)), speaker, about, ranking.resolution.others)


def _merged(ranked: list[RankedQuote]) -> list[TimelineQuote]:
    """One item per quotation, from its earliest report; later reports of the same words go in
    also_reported_by. Oldest first; undated reports last."""
    ordered = sorted(ranked, key=lambda r: (r.article.published or "9999", r.quote.article_id, r.quote.start))
    items: list[tuple[str, TimelineQuote, list[Report]]] = []
    for ranked_quote in ordered:
        quote, article = ranked_quote.quote, ranked_quote.article
        words = " ".join(quotation_words(quote.text))
        report = Report(article.id, article.source, article.url, article.published)
        same = next((item for item in items if _same_quotation(item[0], words)), None)
        if same is not None:
            if same[1].article_id != article.id and all(r.article_id != article.id for r in same[2]):
                same[2].append(report)
            continue
        items.append((words, TimelineQuote(quote.text, article.published, article.id, quote.start, quote.end,
                                           article.source, article.url), []))
    return [TimelineQuote(**{**asdict(item), "also_reported_by": tuple(reports)}) for _, item, reports in items]


def _same_quotation(one: str, other: str) -> bool:
    """The same words, or one report's shorter cut of them."""
    shorter, longer = sorted((one, other), key=len)
    return shorter == longer or (len(shorter.split()) >= 6 and shorter in longer)


def timeline_answer(index: Index, request: Request, speaker: str, topic: str) -> Answer:
    """The chat's answer to "what has X said about Y?": the dated list, each quotation cited."""
    timeline = speaker_timeline(index, speaker, about=topic, filters=request.filters)
    about = f" about {topic}" if topic else ""
    if not timeline.quotes:
        who = timeline.speaker or speaker
        return request.nothing(f"I found no quotation of {who}{about} in the indexed articles.", [])
    citations = Citations()
    hits: list[Hit] = []
    lines = [f"What {timeline.speaker} said{about}, oldest first:"]
    name = family_name(timeline.speaker)
    for item in timeline.quotes[:MAX_CHAT_ITEMS]:
        article = index.article(item.article_id)
        if article is None:
            continue
        start, end = context_span(article.text, item.start, item.end)
        hit = next((h for h in hits if h.contains(item.article_id, item.start, item.end)), None)
        if hit is None:
            hit = Hit.of_article(article, start, end, 0.0)
            hits.append(hit)
        number = citations.cite(hit, item.start, item.end, item.text)
        where = f", {item.source}" if item.source else ""
        others = len(item.also_reported_by)
        also = f" (and {others} later report{'s' if others > 1 else ''})" if others else ""
        lines.append(f"{item.published or 'undated'}{where}{also} — {name}: “{item.text}” [{number}]")
    if len(timeline.quotes) > MAX_CHAT_ITEMS:
        lines.append(f"(and {len(timeline.quotes) - MAX_CHAT_ITEMS} later ones: `qa quotes` or /api/quotes lists all)")
    return request.answer("\n".join(lines), citations, hits, "quote")
