"""The web chat: a Gradio Blocks page over an IndexService.

Every piece of article text or metadata goes through ``html.escape`` before it reaches the page;
only the markup written here is HTML. Gradio's own sanitizer is a second line of defence, not the first."""

from __future__ import annotations

import html
import importlib.machinery
import re
import sys
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any, Iterator, Sequence


class _NoStubRewriting:
    """Gradio rewrites its own .pyi type stubs while it is imported: for each of ~80 component classes
    ``gradio.component_meta.create_or_modify_pyi`` re-reads and parses the class's source file, renders a
    Jinja template and compares (and may write) a file in site-packages. That is nearly half of importing
    Gradio in a server (measured: 3.0 → 1.65 CPU s, Gradio 6.31, Python 3.11) and nothing at run time
    reads the stubs, so the first import made through this module runs component_meta without it."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if name != "gradio.component_meta":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        loader = getattr(spec, "loader", None)
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        run_module = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run_module(module)
            if callable(getattr(module, "create_or_modify_pyi", None)):
                module.create_or_modify_pyi = _no_stub_rewriting

        loader.exec_module = exec_module
        return spec


def _no_stub_rewriting(*args: object, **kwargs: object) -> None:
    return None


if "gradio" not in sys.modules:
    sys.meta_path.insert(0, _NoStubRewriting())

import gradio as gr  # noqa: E402  (after the finder above)

from qa.api import IndexService
from qa.errors import QAError
from qa.ingest import SUFFIXES
from qa.ingest.uploads import Upload
from qa.types import Answer, Citation, Filters, Hit, IngestReport

ALL_OUTLETS = "All outlets"
DEFAULT_EXAMPLES = (
    "What did Blinken say about Article 5?",
    "What did Blinken and Lavrov agree to in Geneva?",
    "How does the US plan to respond if Russia invades Ukraine?",
)
MAX_PASSAGES = 20
CONTEXT_CHARACTERS = 220  # shown either side of a cited sentence in the reply

_CITATION_MARKER = re.compile(r"\[(\d+)\]")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")

CSS = """
.gradio-container { max-width: 1320px !important; margin: 0 auto !important; }
#qa-header { align-items: flex-end; border-bottom: 1px solid var(--border-color-primary); padding-bottom: 10px; }
#qa-header h1 { font-size: 1.7rem; font-weight: 600; margin: 0; letter-spacing: -0.01em; }
#qa-header p { margin: 2px 0 0; color: var(--body-text-color-subdued); }
#qa-chat { border: 1px solid var(--border-color-primary) !important; border-radius: var(--radius-lg); }
#qa-chat .example { border: 1px solid var(--border-color-primary); border-radius: var(--radius-lg);
                    background: var(--background-fill-secondary); }
#qa-chat .example:hover { border-color: var(--color-accent); }
#qa-question { border: 1px solid var(--border-color-primary) !important; border-radius: var(--radius-lg); }
#qa-question .submit-button { background: var(--button-primary-background-fill);
                              color: var(--button-primary-text-color); border-radius: var(--radius-md);
                              padding: 6px 18px; font-weight: 600; }
#qa-filters .timebox input { min-width: 0; width: 100%; }
#qa-facts { text-align: right; color: var(--body-text-color-subdued); font-size: 0.9rem; }
#qa-facts b { color: var(--body-text-color); }
.qa-answer { font-size: 1.02rem; line-height: 1.6; }
.qa-draft .qa-answer::after { content: "▍"; color: var(--color-accent); animation: qa-blink 1s steps(2) infinite; }
@keyframes qa-blink { 50% { opacity: 0; } }
.qa-ref { color: var(--color-accent); font-weight: 600; font-size: 0.8em; }
.qa-citations { margin-top: 12px; display: flex; flex-direction: column; gap: 10px; }
.qa-citation { border-left: 3px solid var(--color-accent); padding: 2px 0 2px 10px; }
.qa-citation-head { font-weight: 600; }
.qa-num { color: var(--color-accent); margin-right: 4px; }
.qa-meta { color: var(--body-text-color-subdued); font-size: 0.85rem; margin: 1px 0 4px; }
.qa-passage { font-size: 0.92rem; line-height: 1.55; margin: 0; color: var(--body-text-color); }
.qa-passage mark { background: #fde68a; color: #1f2937; padding: 0 2px; border-radius: 3px; }
.qa-sources { display: flex; flex-direction: column; gap: 12px; max-height: 640px; overflow-y: auto; }
.qa-sources-head { color: var(--body-text-color-subdued); font-size: 0.9rem; }
.qa-hit { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 10px 12px;
          background: var(--background-fill-primary); }
.qa-hit.qa-cited { border-color: var(--color-accent); }
.qa-hit-top { display: flex; gap: 8px; align-items: baseline; }
.qa-hit-title { font-weight: 600; flex: 1; }
.qa-rank { color: var(--body-text-color-subdued); font-variant-numeric: tabular-nums; }
.qa-score { font-variant-numeric: tabular-nums; font-size: 0.8rem; color: var(--body-text-color-subdued);
            background: var(--background-fill-secondary); border-radius: 6px; padding: 1px 6px; white-space: nowrap; }
.qa-empty { color: var(--body-text-color-subdued); padding: 24px 8px; text-align: center; }
.qa-report { font-size: 0.92rem; }
.qa-hint { font-size: 0.85rem; color: var(--body-text-color-subdued); margin: 0; }
.qa-hint code { font-size: 0.8rem; padding: 0 2px; }
.qa-report ul { margin: 6px 0 0 18px; padding: 0; }
.qa-report .qa-failed { color: var(--error-text-color); }
"""


def build_ui(service: IndexService, *, examples: Sequence[str] = DEFAULT_EXAMPLES, concurrency: int = 8) -> gr.Blocks:
    """The chat page. ``concurrency`` is how many questions Gradio answers at once."""
    with gr.Blocks(title="Article QA", analytics_enabled=False) as page:
        history = gr.State([])  # (question, plain-text answer) pairs, for follow-up questions
        with gr.Row(elem_id="qa-header"):
            gr.HTML(
                "<h1>Article QA</h1><p>Ask questions about the news; every answer cites its sources. "
                '<a href="/api/docs" target="_blank">REST API</a></p>'
            )
            facts = gr.HTML(elem_id="qa-facts")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chat = gr.Chatbot(
                    elem_id="qa-chat", height=600, show_label=False, latex_delimiters=[], feedback_options=None,
                    examples=[{"text": question} for question in examples], buttons=["copy"],
                    placeholder="Ask about the articles in the index, or pick an example.",
                )
                question = gr.Textbox(
                    placeholder="Ask a question…", show_label=False, autofocus=True, elem_id="qa-question",
                    submit_btn="Ask",
                )
                with gr.Row(elem_id="qa-filters"):
                    # Custom values allowed: an API caller may name an outlet this page has not listed yet.
                    outlet = gr.Dropdown(
                        [ALL_OUTLETS, *service.sources()], value=ALL_OUTLETS, label="Outlet", scale=2,
                        allow_custom_value=True,
                    )
                    since = gr.DateTime(label="From", include_time=False, type="string", scale=2)
                    until = gr.DateTime(label="To", include_time=False, type="string", scale=2)
                    passages = gr.Slider(1, MAX_PASSAGES, value=5, step=1, label="Passages", scale=2)
            with gr.Column(scale=2):
                with gr.Tabs() as panels:
                    with gr.Tab("Sources", id="sources"):
                        sources = gr.HTML(_no_sources(), elem_id="qa-sources")
                    with gr.Tab("Add articles", id="add"):
                        files = gr.File(
                            file_count="multiple", file_types=list(SUFFIXES), label="JSONL, txt, md or html files",
                            elem_id="qa-upload",
                        )
                        gr.HTML(
                            '<p class="qa-hint">JSONL: one article a line, with <code>text</code> and optionally '
                            "<code>id</code>, <code>title</code>, <code>url</code>, <code>published</code>, "
                            "<code>source</code>. Text and Markdown: the first line is the title. HTML: the "
                            "article is found in the page. Articles already in the index are skipped.</p>"
                        )
                        add = gr.Button("Add to index", variant="primary", elem_id="qa-add")
                        report = gr.HTML(elem_id="qa-report")

        chat_inputs = [question, chat, history, outlet, since, until, passages]
        # The Sources tab comes to the front in the same update as the finished answer (a second event
        # would race with a click on another tab). Tabs are layout, so API callers never see this output.
        chat_outputs = [question, chat, history, sources, panels]

        # The parameter names are what gradio_client users see.
        # Generators (yield from), so that Gradio streams each step to the page.
        def respond(question, chat, history, outlet, since, until, passages):
            yield from _respond(service, question, chat, history, outlet, since, until, passages)

        def respond_to_example(selected: gr.SelectData, chat, history, outlet, since, until, passages):
            text = selected.value.get("text", "") if isinstance(selected.value, dict) else str(selected.value)
            yield from _respond(service, text, chat, history, outlet, since, until, passages)

        def add_files(files: list[str] | None, progress=gr.Progress()):
            return _add_files(service, files, progress)

        question.submit(respond, chat_inputs, chat_outputs, api_name="ask")
        chat.example_select(respond_to_example, chat_inputs[1:], chat_outputs, api_visibility="private")
        chat.clear(_new_chat, None, [question, chat, history, sources], api_visibility="private")
        add.click(add_files, [files], [files, report, facts, outlet], api_name="add_articles", concurrency_limit=1)
        page.load(lambda: _index_facts(service), None, [facts, outlet], api_visibility="private")
    page.queue(default_concurrency_limit=concurrency)
    return page


def _respond(
    service: IndexService, question: str, messages: list, history: list, outlet: str,
    since: str | None, until: str | None, k: float,
) -> Iterator[tuple[str, list, list, Any, Any]]:
    """Show the question at once, the answer as it is written, then the answer with its sources."""
    question = (question or "").strip()
    if not question:
        raise _user_error("Type a question first.")
    asked = [*messages, {"role": "user", "content": question_html(question)}]
    yield "", asked, history, gr.skip(), gr.skip()
    written, answer = "", None
    try:
        filters = Filters(source=None if outlet in (None, "", ALL_OUTLETS) else outlet, since=since, until=until)
        pieces = service.ask_stream(question, history=[tuple(turn) for turn in history], k=int(k), filters=filters)
        for piece in pieces:
            if isinstance(piece, Answer):
                answer = piece
            else:
                written += piece
                draft = {"role": "assistant", "content": f'<div class="qa-draft">{_answer_text_html(written)}</div>'}
                yield "", [*asked, draft], history, gr.skip(), gr.skip()
    except QAError as error:
        raise _user_error(str(error)) from None
    assert answer is not None, "ask_stream ends with the Answer"
    reply = {"role": "assistant", "content": answer_html(answer)}
    yield "", [*asked, reply], [*history, [question, answer.text]], sources_html(answer), gr.Tabs(selected="sources")


def _user_error(message: str) -> gr.Error:
    """A message for the person at the page; nothing went wrong on the server, so no traceback is logged."""
    return gr.Error(message, print_exception=False)


def _new_chat() -> tuple[str, list, list, str]:
    return "", [], [], _no_sources()


def _add_files(service: IndexService, paths: list[str] | None, progress: gr.Progress) -> tuple[None, str, str, Any]:
    if not paths:
        raise _user_error("Choose one or more files first.")
    progress(0, desc="Reading files…")

    def advance(done: int, total: int) -> None:
        progress((done, total), desc="Embedding articles", unit="articles")

    # Gradio stored each upload under a folder of its own making; the name is shown, never trusted as a path.
    uploads = [Upload(name=Path(path).name, path=Path(path)) for path in paths]
    added = service.add_files(uploads, on_progress=advance)
    facts_page, outlets = _index_facts(service)
    return None, report_html(added), facts_page, outlets


def _index_facts(service: IndexService) -> tuple[str, Any]:
    choices = [ALL_OUTLETS, *service.sources()]
    return facts_html(service.facts()), gr.update(choices=choices)


# -- rendering ---------------------------------------------------------------------------------
# Chat messages go through Markdown; an HTML block without blank lines is passed through untouched,
# so article text with * or _ in it is not reformatted. Hence everything below is one line.


def question_html(question: str) -> str:
    return f'<div class="qa-question">{_escape(question)}</div>'


def answer_html(answer: Answer) -> str:
    """The reply: the answer with its [n] markers, then each numbered source with its cited sentence."""
    cited = "".join(_citation_html(citation, answer.hits) for citation in answer.citations)
    sources = f'<div class="qa-citations">{cited}</div>' if cited else ""
    return f'<div class="qa-reply">{_answer_text_html(answer.text)}{sources}</div>'


def _answer_text_html(text: str) -> str:
    lines = "<br>".join(_escape(line) for line in text.splitlines())
    marked = _CITATION_MARKER.sub(r'<sup class="qa-ref">[\1]</sup>', lines)
    return f'<div class="qa-answer">{marked}</div>'


def _citation_html(citation: Citation, hits: Sequence[Hit]) -> str:
    hit = _hit_containing(citation, hits)
    passage = _highlighted(hit, [citation], CONTEXT_CHARACTERS) if hit else f"<mark>{_escape(citation.text)}</mark>"
    return (
        f'<div class="qa-citation"><div class="qa-citation-head"><span class="qa-num">[{citation.number}]</span>'
        f'{_title_link(citation.title or citation.article_id, citation.url)}</div>'
        f'<div class="qa-meta">{_byline(citation.source, citation.published)}</div>'
        f'<p class="qa-passage">{passage}</p></div>'
    )


def sources_html(answer: Answer) -> str:
    """The sources panel: every retrieved passage with its score, cited sentences highlighted."""
    if not answer.hits:
        return '<div class="qa-empty">No passage matched. Try other words, or loosen the filters.</div>'
    cards = "".join(_hit_html(rank, hit, answer.citations) for rank, hit in enumerate(answer.hits, 1))
    heading = f'{_count(len(answer.hits), "passage")} for “{_escape(answer.question)}”'
    return f'<div class="qa-sources"><div class="qa-sources-head">{heading}</div>{cards}</div>'


def _hit_html(rank: int, hit: Hit, citations: Sequence[Citation]) -> str:
    cited = [citation for citation in citations if _hit_containing(citation, [hit])]
    numbers = "".join(f" [{citation.number}]" for citation in cited)
    byline = _byline(hit.source, hit.published) + (f" · cited as{numbers}" if cited else "")
    return (
        f'<div class="qa-hit{" qa-cited" if cited else ""}">'
        f'<div class="qa-hit-top"><span class="qa-rank">{rank}.</span>'
        f'<span class="qa-hit-title">{_title_link(hit.title or hit.article_id, hit.url)}</span>'
        f'<span class="qa-score" title="relevance score">{hit.score:.3f}</span></div>'
        f'<div class="qa-meta">{byline}</div><p class="qa-passage">{_highlighted(hit, cited)}</p></div>'
    )


def facts_html(facts: dict[str, Any]) -> str:
    return (
        f'<b>{facts["articles"]:,}</b> articles · <b>{facts["chunks"]:,}</b> chunks · '
        f'model <b>{_escape(facts["model"])}</b>'
    )


def report_html(report: IngestReport) -> str:
    """What an upload did, with each failure's reason."""
    summary = (
        f"Added <b>{report.added}</b>, replaced <b>{report.replaced}</b>, skipped <b>{report.skipped}</b>, "
        f"failed <b>{len(report.failed)}</b> · {_count(report.chunks, 'chunk')} in {report.seconds:.1f} s"
    )
    failures = "".join(
        f'<li class="qa-failed">{_escape(error.origin)}: {_escape(error.reason)}</li>' for error in report.failed
    )
    return f'<div class="qa-report">{summary}{f"<ul>{failures}</ul>" if failures else ""}</div>'


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _no_sources() -> str:
    return '<div class="qa-empty">The passages behind each answer appear here, with their scores.</div>'


def _hit_containing(citation: Citation, hits: Sequence[Hit]) -> Hit | None:
    """The passage that holds the cited span (spans are in article coordinates)."""
    return next((hit for hit in hits if hit.contains(citation.article_id, citation.start, citation.end)), None)


def _highlighted(hit: Hit, citations: Sequence[Citation], context: int | None = None) -> str:
    """The passage with each cited span in <mark>; with ``context``, only that much text around them."""
    spans = sorted((c.start - hit.start, c.end - hit.start) for c in citations)
    begin, end = 0, len(hit.text)
    if context is not None and spans:
        begin, end = _word_start(hit.text, spans[0][0] - context), _word_end(hit.text, spans[-1][1] + context)
    pieces, position = [], begin
    for start, stop in spans:
        if start < position:  # overlapping citations: the first one already covers this text
            continue
        pieces += [_escape(hit.text[position:start]), f"<mark>{_escape(hit.text[start:stop])}</mark>"]
        position = stop
    pieces.append(_escape(hit.text[position:end]))
    return ("…" if begin > 0 else "") + "".join(pieces).strip() + ("…" if end < len(hit.text) else "")


def _word_start(text: str, position: int) -> int:
    """The start of the first whole word at or after ``position``."""
    if position <= 0:
        return 0
    space = text.find(" ", position)
    return space + 1 if space != -1 else position


def _word_end(text: str, position: int) -> int:
    """The end of the last whole word before ``position``."""
    if position >= len(text):
        return len(text)
    space = text.rfind(" ", 0, position)
    return space if space != -1 else position


def _title_link(title: str, url: str) -> str:
    if url.lower().startswith(("http://", "https://")):  # never javascript: or data: links
        return f'<a href="{_escape(url)}" target="_blank" rel="noopener noreferrer">{_escape(title)}</a>'
    return _escape(title)


def _byline(source: str, published: str) -> str:
    return " · ".join(_escape(part) for part in (source or "Unknown outlet", _readable_date(published)) if part)


def _readable_date(published: str) -> str:
    try:
        day = date.fromisoformat(published)
    except ValueError:
        return published
    return f"{day.day} {day:%b %Y}"


def _escape(text: str) -> str:
    """HTML-escaped text on one source line, line breaks as <br> (see the note above on Markdown)."""
    return _LINE_BREAKS.sub("<br>", html.escape(text, quote=True))
