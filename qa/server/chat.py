"""The web chat: a Gradio Blocks page over an IndexService, mounted on an app of its own. Its HTML is
written by qa.server.chat_html.

Importing this module imports Gradio; qa.server.app does that first, without Gradio's rewriting of
its type stubs."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Sequence

import gradio as gr
from fastapi import FastAPI

from qa.errors import QAError
from qa.ingest import SUFFIXES
from qa.ingest.uploads import Upload, read_upload
from qa.ingest.urls import load_urls
from qa.server.chat_html import (
    CSS,
    answer_html,
    answer_text_html,
    facts_html,
    no_sources_html,
    question_html,
    report_html,
    sources_html,
)
from qa.types import Answer, Filters

if TYPE_CHECKING:
    from qa.server.service import IndexService

ALL_OUTLETS = "All outlets"
DEFAULT_EXAMPLES = (
    "What did Blinken say about Article 5?",
    "What did Blinken and Lavrov agree to in Geneva?",
    "How does the US plan to respond if Russia invades Ukraine?",
)
MAX_PASSAGES = 20


def mounted_page(
    service: IndexService, *, examples: Sequence[str] | None, concurrency: int, max_upload_bytes: int
) -> FastAPI:
    """The chat page mounted at / of an app of its own, its look and upload limit set."""
    page = _build_page(service, examples=DEFAULT_EXAMPLES if examples is None else examples, concurrency=concurrency)
    holder = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    gr.mount_gradio_app(
        holder, page, path="/", theme=_theme(), css=CSS, footer_links=["api"], run_history=False,
        show_error=False,  # an unexpected error shows as "Error"; its details stay in the server log
        max_file_size=max_upload_bytes, mcp_server=False,
    )
    return holder


def _theme() -> gr.themes.Base:
    return gr.themes.Soft(
        primary_hue="indigo", neutral_hue="slate", radius_size="md",
        font=[gr.themes.LocalFont("IBM Plex Sans", weights=(400, 600, 700)), "ui-sans-serif", "sans-serif"],
    ).set(block_label_background_fill="transparent", block_title_background_fill="transparent")


def _build_page(service: IndexService, *, examples: Sequence[str], concurrency: int) -> gr.Blocks:
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
                        sources = gr.HTML(no_sources_html(), elem_id="qa-sources")
                    with gr.Tab("Add articles", id="add"):
                        files = gr.File(
                            file_count="multiple", file_types=list(SUFFIXES), label="JSONL, txt, md, html or pdf files",
                            elem_id="qa-upload",
                        )
                        addresses = gr.Textbox(
                            label="Web addresses, one a line: an article, a PDF, an RSS/Atom feed or a sitemap",
                            placeholder="https://…", lines=2, elem_id="qa-urls", value="",
                        )
                        gr.HTML(
                            '<p class="qa-hint">JSONL: one article a line, with <code>text</code> and optionally '
                            "<code>id</code>, <code>title</code>, <code>url</code>, <code>published</code>, "
                            "<code>source</code>. Text and Markdown: the first line is the title. HTML: the "
                            "article is found in the page. PDF: its text layer, with page numbers. A feed or a "
                            "sitemap adds every article it lists. Articles already in the index are skipped.</p>"
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

        def add_files(files: list[str] | None, addresses: str = "", progress=gr.Progress()):
            return _add_files(service, files, addresses, progress)

        question.submit(respond, chat_inputs, chat_outputs, api_name="ask")
        chat.example_select(respond_to_example, chat_inputs[1:], chat_outputs, api_visibility="private")
        chat.clear(_new_chat, None, [question, chat, history, sources], api_visibility="private")
        add.click(
            add_files, [files, addresses], [files, addresses, report, facts, outlet], api_name="add_articles",
            concurrency_limit=1,
        )
        page.load(lambda: index_facts(service), None, [facts, outlet], api_visibility="private")
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
                draft = {"role": "assistant", "content": f'<div class="qa-draft">{answer_text_html(written)}</div>'}
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
    return "", [], [], no_sources_html()


def _add_files(
    service: IndexService, paths: list[str] | None, addresses: str | None, progress: gr.Progress
) -> tuple[None, str, str, str, Any]:
    urls = (addresses or "").split()
    if not paths and not urls:
        raise _user_error("Choose one or more files, or give web addresses, first.")
    progress(0, desc="Reading files and addresses…")

    def advance(done: int, total: int) -> None:
        progress((done, total), desc="Embedding articles", unit="articles")

    # Gradio stored each upload under a folder of its own making; the name is shown, never trusted as a path.
    uploads = [Upload(name=Path(path).name, path=Path(path)) for path in paths or ()]
    items = itertools.chain((item for upload in uploads for item in read_upload(upload)), load_urls(urls, service.fetch))
    try:
        added = service.add(items, on_progress=advance)
    except QAError as error:
        raise _user_error(str(error)) from None
    facts_page, outlets = index_facts(service)
    return None, "", report_html(added), facts_page, outlets


def index_facts(service: IndexService) -> tuple[str, Any]:
    """The header's facts about the index, and the outlet menu's choices."""
    choices = [ALL_OUTLETS, *service.sources()]
    return facts_html(service.facts()), gr.update(choices=choices)
