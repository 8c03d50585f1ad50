"""Quote answers to "what did X say about Y": X's own words about Y, verbatim in quotation marks, with X's
name and role and where they were published; when X was never quoted on Y, what the articles report
about X instead (qa.answer.sentences.reported_speech), never presented as X's words."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from qa.answer.compose import Citations, context_span
from qa.answer.quote_ranking import QuoteSearch, RankedQuote, quotation_words, ranked_quotes
from qa.answer.sentences import reported_speech
from qa.answer.statements import statements
from qa.quotes.framing import framing_span
from qa.quotes.speakers import family_name, role_label
from qa.types import Answer, Hit, Quote

if TYPE_CHECKING:
    from qa.answer.compose import Request
    from qa.index import Index
    from qa.search import Reranker
    from qa.quotes.resolution import Resolution

# The best quote's score (quote_ranking's scale) for "what did X say about Y": tuned with the ranking weights
# on the dev questions of bench/quotes (`bench/quote_questions.py tune`), where 0.34–0.46 declined all 40
# dev questions about a speaker off their topics or about people the articles never name.
MIN_QUOTE_SCORE = 0.35
MAX_QUOTES = 3
NAMESAKES_SHOWN = 5
QUOTE_FOLLOWER_SHARE = 0.8  # further quotes join the answer when they score at least this share of the best
RERANK_DEPTH = 20  # statements a configured reranker reorders


def quote_answer(index: Index, request: Request, speaker: str, topic: str) -> Answer:
    ranking = ranked_quotes(index, QuoteSearch(speaker, topic, request.filters))
    ranked = ranking.ranked
    if not ranked or (topic and ranked[0].score < MIN_QUOTE_SCORE):
        return reported_speech(index, request, speaker, topic, quoted_elsewhere=bool(ranked))
    ranked = _once_each(statements(ranked))
    best = ranked[0].score
    if topic and index.reranker is not None:
        ranked = _reranked(index.reranker, request.question.standalone, ranked)
    chosen = ranked[:MAX_QUOTES] if not topic else [ranked[0]] + [
        r for r in ranked[1:] if r.score >= max(MIN_QUOTE_SCORE, QUOTE_FOLLOWER_SHARE * best)
    ][: MAX_QUOTES - 1]
    citations = Citations()
    hits = _context_hits(chosen)
    lines = []
    for position, ranked_quote in enumerate(chosen):
        previous = chosen[position - 1] if position else None
        quote = ranked_quote.quote
        hit = next(h for h in hits if h.contains(quote.article_id, quote.start, quote.end))
        number = citations.cite(hit, quote.start, quote.end, quote.text)
        lines.append(f"{_who_said(ranked_quote, previous)}: “{quote.text}” [{number}]")
    lines += _namesakes_note(speaker, ranking.resolution)
    return request.answer("\n".join(lines), citations, hits, "quote")


def _reranked(reranker: Reranker, question: str, ranked: Sequence[RankedQuote]) -> list[RankedQuote]:
    """The statements above the decline threshold, up to RERANK_DEPTH, reordered by the reranker's score of
    (the question, the statement with the reporter's words around it), the rest after them. The first
    stage's scores stay: they alone decide a decline and which statements may follow the first."""
    head = [r for r in ranked[:RERANK_DEPTH] if r.score >= MIN_QUOTE_SCORE]
    framings = [r.article.text[slice(*framing_span(r.article.text, r.quote.start, r.quote.end))] for r in head]
    scores = reranker.score(question, framings)
    order = sorted(range(len(head)), key=lambda i: -scores[i])
    return [head[i] for i in order] + list(ranked[len(head):])


def _once_each(ranked: Sequence[RankedQuote]) -> list[RankedQuote]:
    """The same words reported by several articles (copies of one wire story, say) are one quotation."""
    seen: set[str] = set()
    kept = []
    for ranked_quote in ranked:
        words = " ".join(quotation_words(ranked_quote.quote.text))
        if words not in seen:
            seen.add(words)
            kept.append(ranked_quote)
    return kept


def _namesakes_note(speaker: str, resolution: Resolution | None) -> list[str]:
    """When the name or role asked about fits several people, say whom the answer took it to mean and who
    else it could be: the reader may have meant another."""
    if resolution is None or not resolution.others:
        return []
    others = resolution.others[:NAMESAKES_SHOWN]
    more = f" and {len(resolution.others) - len(others)} more" if len(resolution.others) > len(others) else ""
    basis = ("the holder of that role seen last" if resolution.role
             else "whom the articles describe so" if resolution.described
             else "whose quotations fit the question best")
    return [f"(Note: I took “{speaker}” to mean {resolution.name}, {basis}; it also fits "
            f"{', '.join(others)}{more}.)"]


def _who_said(current: RankedQuote, previous: RankedQuote | None) -> str:
    """"Antony Blinken (Secretary of State) said, as reported by Washington Examiner on 2022-01-21", or
    "Blinken also said" for the same speaker again (naming the report again if it is another one)."""
    quote, article = current.quote, current.article
    same_speaker = previous is not None and previous.quote.speaker == quote.speaker
    same_report = previous is not None and previous.quote.article_id == quote.article_id
    who = f"{family_name(quote.speaker)} also said" if same_speaker else f"{_speaker_label(quote)} said"
    if same_report:
        return who
    where = f" by {article.source}" if article.source else ""
    when = f" on {article.published}" if article.published else ""
    return f"{who}, as reported{where}{when}" if where or when else who


def _speaker_label(quote: Quote) -> str:
    role = role_label(quote.role)
    return f"{quote.speaker} ({role})" if role else quote.speaker


def _context_hits(chosen: Sequence[RankedQuote]) -> list[Hit]:
    """The paragraph around each quote, as the passage the chat shows with the quote highlighted."""
    hits: list[Hit] = []
    for ranked in chosen:
        article = ranked.article
        start, end = context_span(article.text, ranked.quote.start, ranked.quote.end)
        if any(h.contains(article.id, ranked.quote.start, ranked.quote.end) for h in hits):
            continue
        hits.append(Hit.of_article(article, start, end, ranked.score))
    return hits
