"""ask(): a short answer to a question about the indexed news, every part of it cited to an exact span.

Kinds of answer (Answer.kind):
* "quote" — for "what did X say about Y" / "how did X describe Y": X's own words about Y, verbatim in
  quotation marks, with X's name and role and where they were published:
      Antony Blinken (Secretary of State) said, as reported by Washington Examiner on 2022-01-21:
      “Our Article 5 commitment extends to NATO allies” [1]
* "sentences" — for other questions: the one to three sentences of the top passages that best answer
  it, verbatim, each followed by its citation number. Also for a speaker never quoted on the topic, after
  a line saying so: sentences of the articles that mention the speaker, never presented as their words.
* "generated" — when an OpenAI-compatible endpoint is configured (qa.llm): the model's answer from the
  numbered passages, held to the passages it cites (qa.generate). Quote answers and abstentions stay
  extractive: words put in people's mouths must be theirs.
* "none" — nothing retrieved is relevant enough (thresholds calibrated in bench/answers.py): a plain
  statement, with the closest passages in ``hits``.

Follow-up questions are rewritten into standalone ones first (qa.followup); a rewritten question is
shown on the answer's first line ("(Read as: …)"). ``verify`` (qa.verify) checks every answer's sources.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from typing import Iterator, Sequence

from qa.extract import ScoredSentence, Sentence, candidate_sentences, pick, score_sentences
from qa.followup import standalone_question
from qa.generate import generated_answer, prompt
from qa.index import Index
from qa.llm import LLMConfig, LLMError, stream_chat
from qa.quote_search import QuoteSearch, RankedQuote, context_span, ranked_quotes
from qa.quotes.speakers import family_name, looks_like_person_name, names_a_role, parse_say_question, role_label
from qa.types import Answer, Article, Citation, Hit, Quote
from qa.verify import VerificationError, verify

__all__ = ["FROM_ENV", "ask", "ask_stream", "relevance", "verify", "VerificationError"]

log = logging.getLogger(__name__)

# Abstention thresholds, chosen from the score distributions that `bench/answers.py abstain` prints for
# the full RealTimeQA archive (3,703 articles). A declined answer still lists the closest passages, so
# declining is the cheaper mistake; each threshold is the highest that keeps about 95% of the answerable.
# The cosine between the question and the best candidate sentence: 0.56 keeps 96% of the 95 benchmark
# questions and declines 67% of 55 unanswerable ones (precision of declining 0.90).
MIN_RELEVANCE = 0.56
# The best quote's score (quote_search's scale) for "what did X say about Y": 0.30 keeps 38 of the 41 say
# questions (the other 3 fail anyway) and declines 80% of the same speakers asked about another topic.
MIN_QUOTE_SCORE = 0.30
MAX_QUOTES = 3
NAMESAKES_SHOWN = 5
QUOTE_FOLLOWER_SHARE = 0.8  # further quotes join the answer when they score at least this share of the best

NOTHING_FOUND = "I found nothing in the indexed articles that answers this; the closest passages are listed."


class _FromEnvironment:
    def __repr__(self) -> str:
        return "FROM_ENV"


FROM_ENV = _FromEnvironment()  # the default for ``llm``: QA_LLM_URL / QA_LLM_MODEL, if set
LLMChoice = LLMConfig | None | _FromEnvironment


@dataclass(frozen=True)
class _Request:
    question: str  # as asked
    standalone: str  # after follow-up rewriting
    k: int
    filters: dict[str, str | None]  # Index.search keyword arguments


def ask(
    index: Index,
    question: str,
    *,
    history: Sequence[tuple[str, str]] = (),
    k: int = 5,
    source: str | None = None,
    since: str | None = None,
    until: str | None = None,
    as_of: str | None = None,
    mode: str | None = None,
    llm: LLMChoice = FROM_ENV,
) -> Answer:
    """Answer ``question``, reading ``history`` ((question, answer) pairs, oldest first) for follow-ups.
    ``k`` passages are retrieved; ``source``/``since``/``until``/``as_of``/``mode`` are Index.search's."""
    final: Answer | None = None
    for item in ask_stream(index, question, history=history, k=k, source=source, since=since, until=until,
                           as_of=as_of, mode=mode, llm=llm):
        if isinstance(item, Answer):
            final = item
    assert final is not None  # ask_stream always ends with an Answer
    return final


def ask_stream(
    index: Index,
    question: str,
    *,
    history: Sequence[tuple[str, str]] = (),
    k: int = 5,
    source: str | None = None,
    since: str | None = None,
    until: str | None = None,
    as_of: str | None = None,
    mode: str | None = None,
    llm: LLMChoice = FROM_ENV,
) -> Iterator[str | Answer]:
    """Like ask(), for a chat that shows the answer as it is written: yields pieces of text (str) as they
    come, then exactly one Answer. The Answer is authoritative: its text replaces everything streamed
    (citation numbers may be renumbered, or it may be the extractive answer when the model failed).
    Without a language model the whole answer comes as one piece."""
    filters: dict[str, str | None] = {"source": source, "since": since, "until": until, "as_of": as_of}
    if mode:
        filters["mode"] = mode
    standalone = standalone_question(question, history, is_speaker=_speaker_test(index))
    request = _Request(question=question, standalone=standalone, k=k, filters=filters)
    extractive, passages = _extractive(index, request)
    config = LLMConfig.from_env() if isinstance(llm, _FromEnvironment) else llm
    if config is None or extractive.kind != "sentences" or not passages:
        yield extractive.text
        yield extractive
        return
    yield from _generated(index, request, config, extractive, passages)


def relevance(index: Index, question: str, *, k: int = 5) -> float:
    """How well the top k passages can answer ``question``: the cosine of its best sentence (the
    abstention signal; bench/answers.py shows its distributions)."""
    scored = _scored_sentences(index, question, index.search(question, k))
    return scored[0].cosine if scored else 0.0


# -- extractive answers -------------------------------------------------------------------------------


def _extractive(index: Index, request: _Request) -> tuple[Answer, list[Hit]]:
    """The extractive answer, and the passages a language model may write from (only for "sentences")."""
    said = parse_say_question(request.standalone)
    if said:
        return _quote_answer(index, request, *said), []
    # Passages rather than distinct articles: the sentence that answers may sit in any passage.
    hits = index.search(request.standalone, request.k, per_article=False, **request.filters)
    return _sentence_answer(request, hits, _scored_sentences(index, request.standalone, hits)), hits


def _scored_sentences(index: Index, question: str, hits: Sequence[Hit]) -> list[ScoredSentence]:
    """The sentences of the passages, and of the whole top article: search shows one passage per article,
    and the sentence that answers may sit in another passage of the best article."""
    if not hits:
        return []
    top = index.article(hits[0].article_id)
    whole = [replace(s, rank=0) for s in candidate_sentences([_whole(top, hits[0].score)])] if top else []
    seen: set[tuple[str, int, int]] = set()
    unique = []
    for sentence in candidate_sentences(hits) + whole:  # a passage's own sentence first: its hit is shown
        if (sentence.hit.article_id, sentence.start, sentence.end) not in seen:
            seen.add((sentence.hit.article_id, sentence.start, sentence.end))
            unique.append(sentence)
    return score_sentences(question, unique, index.embedder)


def _whole(article: Article, score: float) -> Hit:
    return Hit(
        article_id=article.id, text=article.text, start=0, end=len(article.text), score=score, title=article.title,
        url=article.url, published=article.published, source=article.source, authors=article.authors,
    )


def _sentence_answer(
    request: _Request, hits: Sequence[Hit], scored: Sequence[ScoredSentence], intro: str = ""
) -> Answer:
    if not _relevant(scored):
        return _nothing(request, intro or NOTHING_FOUND, hits)
    citations = _Citations()
    chosen = pick(scored)
    parts = [f"{s.sentence.text} [{citations.cite(s.sentence.hit, s.sentence.start, s.sentence.end)}]" for s in chosen]
    text = "\n".join(part for part in (intro, " ".join(parts)) if part)
    return _answer(request, text, citations, _with_context(hits, [s.sentence for s in chosen]), "sentences")


def _with_context(hits: Sequence[Hit], cited: Sequence[Sentence]) -> list[Hit]:
    """The passages, plus the paragraph of each cited sentence that no passage holds, so the chat can
    show every citation in its context."""
    shown = list(hits)
    for sentence in cited:
        if not any(h.article_id == sentence.hit.article_id and h.start <= sentence.start and sentence.end <= h.end
                   for h in shown):
            whole = sentence.hit  # a passage that holds the sentence: here, its whole article
            start, end = context_span(whole.text, sentence.start - whole.start, sentence.end - whole.start)
            shown.append(replace(whole, text=whole.text[start:end], start=whole.start + start, end=whole.start + end))
    return shown


def _nothing(request: _Request, text: str, hits: Sequence[Hit]) -> Answer:
    return _answer(request, text, _Citations(), hits, "none")


def _answer(request: _Request, text: str, citations: "_Citations", hits: Sequence[Hit], kind: str) -> Answer:
    return Answer(
        question=request.question, text=_with_reading(request, text), citations=citations.all(), hits=tuple(hits),
        kind=kind,
    )


def _with_reading(request: _Request, text: str) -> str:
    """A follow-up rewritten from the conversation says how it was read, so a wrong guess shows."""
    if request.standalone == " ".join(request.question.split()):
        return text
    return f"(Read as: {request.standalone})\n{text}"


class _Citations:
    """Numbers spans 1..n in order of first use; citing the same span twice gives the same number."""

    def __init__(self) -> None:
        self._citations: list[Citation] = []

    def cite(self, source: Hit, start: int, end: int, text: str | None = None) -> int:
        """Cite article[start:end] of the article ``source`` (a passage of it) describes."""
        for citation in self._citations:
            if (citation.article_id, citation.start, citation.end) == (source.article_id, start, end):
                return citation.number
        words = text if text is not None else source.text[start - source.start:end - source.start]
        self._citations.append(Citation(
            number=len(self._citations) + 1, article_id=source.article_id, start=start, end=end, text=words,
            title=source.title, url=source.url, published=source.published, source=source.source,
        ))
        return len(self._citations)

    def all(self) -> tuple[Citation, ...]:
        return tuple(self._citations)


# -- quote answers -------------------------------------------------------------------------------------


def _quote_answer(index: Index, request: _Request, speaker: str, topic: str) -> Answer:
    filters = request.filters
    search = QuoteSearch(speaker, topic, source=filters["source"], since=filters["since"], until=filters["until"],
                         as_of=filters["as_of"])
    ranked = ranked_quotes(index, search)
    if not ranked or (topic and ranked[0].score < MIN_QUOTE_SCORE):
        return _reported_speech(index, request, speaker, topic, quoted_elsewhere=bool(ranked))
    chosen = ranked[:MAX_QUOTES] if not topic else [ranked[0]] + [
        r for r in ranked[1:] if r.score >= max(MIN_QUOTE_SCORE, QUOTE_FOLLOWER_SHARE * ranked[0].score)
    ][: MAX_QUOTES - 1]
    citations = _Citations()
    hits = _context_hits(chosen)
    lines = []
    for position, ranked_quote in enumerate(chosen):
        previous = chosen[position - 1] if position else None
        hit = next(h for h in hits if _covers(h, ranked_quote.quote))
        number = citations.cite(hit, ranked_quote.quote.start, ranked_quote.quote.end, ranked_quote.quote.text)
        lines.append(f"{_who_said(ranked_quote, previous)}: “{ranked_quote.quote.text}” [{number}]")
    lines += _namesakes_note(speaker, ranked)
    return _answer(request, "\n".join(lines), citations, hits, "quote")


def _namesakes_note(speaker: str, ranked: Sequence[RankedQuote]) -> list[str]:
    """When the name asked about fits several people quoted in the index, say so: each quote line names
    its own speaker, but the reader should know the one they meant may be another."""
    namesakes = list(dict.fromkeys(r.quote.speaker for r in ranked))
    if len(namesakes) < 2:
        return []
    shown = ", ".join(namesakes[:NAMESAKES_SHOWN])
    more = f" and {len(namesakes) - NAMESAKES_SHOWN} more" if len(namesakes) > NAMESAKES_SHOWN else ""
    return [f"(Note: {speaker} fits {len(namesakes)} people quoted in these articles: {shown}{more}.)"]


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
        if any(_covers(h, ranked.quote) for h in hits):
            continue
        hits.append(Hit(
            article_id=article.id, text=article.text[start:end], start=start, end=end, score=ranked.score,
            title=article.title, url=article.url, published=article.published, source=article.source,
            authors=article.authors,
        ))
    return hits


def _covers(hit: Hit, quote: Quote) -> bool:
    return hit.article_id == quote.article_id and hit.start <= quote.start and quote.end <= hit.end


def _reported_speech(index: Index, request: _Request, speaker: str, topic: str, *, quoted_elsewhere: bool) -> Answer:
    """No quotation of the speaker on the topic: say so, then what the articles report about them (their
    own sentences, which mention the speaker) when relevant enough."""
    who = f"the {speaker}" if names_a_role(speaker) else speaker
    about = f" about {topic}" if topic else ""
    intro = f"I found no quotation of {who}{about} in the indexed articles."
    if quoted_elsewhere:
        intro = f"I found no quotation of {who} that is about {topic} in the indexed articles."
    hits = index.search(f"{speaker} {topic}".strip(), request.k, **request.filters)
    mentions = [s for s in candidate_sentences(hits) if _mentions(s.text, speaker)]
    # Scored against the topic alone: every candidate names the speaker, which says nothing of relevance.
    scored = score_sentences(topic or speaker, mentions, index.embedder) if mentions else []
    if not _relevant(scored):
        return _nothing(request, intro, hits)
    return _sentence_answer(request, hits, scored, intro=f"{intro} What the articles report:")


def _relevant(scored: Sequence[ScoredSentence]) -> bool:
    return bool(scored) and scored[0].cosine >= MIN_RELEVANCE


def _mentions(sentence: str, speaker: str) -> bool:
    """Whether a sentence names the speaker: their family name, or the whole role ("secretary of state")."""
    phrase = re.sub(r"^(?:the|mr\.?|mrs\.?|ms\.?|dr\.?)\s+", "", speaker.strip(), flags=re.IGNORECASE)
    key = phrase.split()[-1] if looks_like_person_name(phrase) else phrase
    return re.search(rf"\b{re.escape(key)}\b", sentence, re.IGNORECASE) is not None


def _speaker_test(index: Index):
    """Whether "what about X?" names a speaker: a person's name or role, or someone the index quotes."""
    def is_speaker(phrase: str) -> bool:
        if looks_like_person_name(phrase) or names_a_role(phrase):
            return True
        return not phrase.isupper() and bool(index.quotes(phrase))

    return is_speaker


# -- generated answers ---------------------------------------------------------------------------------


def _generated(
    index: Index, request: _Request, config: LLMConfig, extractive: Answer, passages: Sequence[Hit]
) -> Iterator[str | Answer]:
    pieces: list[str] = []
    try:
        for piece in stream_chat(config, prompt(request.standalone, passages)):
            pieces.append(piece)
            yield piece
    except LLMError as error:
        log.warning("language model failed, answering extractively: %s", error)
        yield extractive
        return
    answer = generated_answer(request.question, "".join(pieces), passages)
    if answer is None:
        log.info("the language model cited no passage; answering extractively")
        yield extractive
        return
    answer = replace(answer, text=_with_reading(request, answer.text))
    try:
        verify(answer, index)
    except VerificationError as error:
        log.warning("generated answer failed verification, answering extractively: %s", error)
        yield extractive
        return
    yield answer
