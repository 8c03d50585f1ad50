"""ask(): a short answer to a question about the indexed news, every part of it cited to an exact span.

Kinds of answer (Answer.kind):
* "quote" — for "what did X say about Y" / "how did X describe Y": X's own words about Y, verbatim in
  quotation marks, with X's name and role and where they were published (qa.answer.quote):
      Antony Blinken (Secretary of State) said, as reported by Washington Examiner on 2022-01-21:
      “Our Article 5 commitment extends to NATO allies” [1]
  "what has X said about Y?" / "X on Y over time" list X's quotations about Y oldest first, each cited
  (qa.answer.timeline), as a quote answer too.
* "sentences" — for other questions: the one to three sentences of the top passages that best answer
  it, verbatim, each followed by its citation number (qa.answer.sentences). Also for a speaker never
  quoted on the topic, after a line saying so: sentences of the articles that mention the speaker, never
  presented as their words.
* "generated" — when an OpenAI-compatible endpoint is configured (qa.answer.llm): the model's answer from
  the numbered passages, held to the passages it cites (qa.answer.generated). Quote answers and
  abstentions stay extractive: words put in people's mouths must be theirs.
* "none" — nothing retrieved is relevant enough (thresholds calibrated in bench/answers.py): a plain
  statement, with the closest passages in ``hits``.

Follow-up questions are rewritten into standalone ones first (qa.answer.question); a rewritten question is
shown on the answer's first line ("(Read as: …)"). ``verify`` (qa.answer.verify) checks every answer's
sources.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, Sequence

from qa.answer.compose import Request
from qa.answer.generated import generated
from qa.answer.question import Question, speaker_test
from qa.answer.quote import quote_answer
from qa.answer.sentences import scored_sentences, sentence_answer
from qa.answer.timeline import timeline_answer
from qa.config import LLMConfig
from qa.types import Answer, Filters, Hit

if TYPE_CHECKING:
    from qa.index import Index


class _FromEnvironment:
    def __repr__(self) -> str:
        return "FROM_ENV"


FROM_ENV = _FromEnvironment()  # the default for ``llm``: QA_LLM_URL / QA_LLM_MODEL, if set
LLMChoice = LLMConfig | None | _FromEnvironment


def ask(
    index: Index,
    question: str,
    *,
    history: Sequence[tuple[str, str]] = (),
    k: int = 5,
    filters: Filters = Filters(),
    mode: str | None = None,
    llm: LLMChoice = FROM_ENV,
) -> Answer:
    """Answer ``question``, reading ``history`` ((question, answer) pairs, oldest first) for follow-ups.
    ``k`` passages are retrieved from the articles ``filters`` allows; ``mode`` is Index.search's."""
    final: Answer | None = None
    for item in ask_stream(index, question, history=history, k=k, filters=filters, mode=mode, llm=llm):
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
    filters: Filters = Filters(),
    mode: str | None = None,
    llm: LLMChoice = FROM_ENV,
) -> Iterator[str | Answer]:
    """Like ask(), for a chat that shows the answer as it is written: yields pieces of text (str) as they
    come, then exactly one Answer. The Answer is authoritative: its text replaces everything streamed
    (citation numbers may be renumbered, or it may be the extractive answer when the model failed).
    Without a language model the whole answer comes as one piece."""
    read = Question.read(question, history, is_speaker=speaker_test(index))
    request = Request(question=read, k=k, filters=filters, mode=mode)
    extractive, passages = _extractive(index, request)
    config = LLMConfig.from_env() if isinstance(llm, _FromEnvironment) else llm
    if config is None or extractive.kind != "sentences" or not passages:
        yield extractive.text
        yield extractive
        return
    yield from generated(index, request, config, extractive, passages)


def relevance(index: Index, question: str, *, k: int = 5) -> float:
    """How well the top k passages can answer ``question``: the cosine of its best sentence (the
    abstention signal; bench/answers.py shows its distributions)."""
    scored = scored_sentences(index, question, index.search(question, k))
    return scored[0].cosine if scored else 0.0


def _extractive(index: Index, request: Request) -> tuple[Answer, list[Hit]]:
    """The extractive answer, and the passages a language model may write from (only for "sentences")."""
    said = request.question.said
    if said and said.timeline:
        return timeline_answer(index, request, said.speaker, said.topic), []
    if said:
        return quote_answer(index, request, said.speaker, said.topic), []
    standalone = request.question.standalone
    # Passages rather than distinct articles: the sentence that answers may sit in any passage.
    hits = index.search(standalone, request.k, filters=request.filters, mode=request.mode, per_article=False)
    return sentence_answer(request, hits, scored_sentences(index, standalone, hits)), hits
