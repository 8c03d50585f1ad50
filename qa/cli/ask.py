"""`qa ask`: a short answer with numbered, verified citations."""

from __future__ import annotations

import argparse
import sys

from qa import config
from qa.cli.options import filter_options, filters, json_option, store_location, store_option
from qa.cli.output import announce_wait, print_json


def add_parser(commands: argparse._SubParsersAction) -> None:
    ask = commands.add_parser("ask", help="a short answer with numbered, verified citations")
    ask.add_argument("question")
    ask.add_argument("-k", type=int, default=5, help="how many passages to read (default 5)")
    filter_options(ask)
    ask.add_argument(
        "--llm-url",
        help="OpenAI-compatible server that writes the answer from the passages, e.g. http://127.0.0.1:8080/v1 "
        "(default: $QA_LLM_URL; none: extractive answers)",
    )
    ask.add_argument("--llm-model", help="model name to request (default: $QA_LLM_MODEL)")
    store_option(ask)
    json_option(ask)
    ask.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from qa.answer import ask_stream
    from qa.index import Index
    from qa.quotes.speakers import parse_say_question
    from qa.types import Answer

    llm = config.LLMConfig.from_env(url=args.llm_url, model=args.llm_model)
    streaming = llm is not None and not args.json
    location = store_location(args)
    with Index.open(location, on_write_wait=announce_wait(location)) as index:
        if index.quotes_pending() and parse_say_question(args.question):
            print("qa: reading and embedding the quotes of the stored articles (once; passages are not re-embedded)…",
                  file=sys.stderr)
            index.ensure_quotes()
        streamed: list[str] = []
        for item in ask_stream(index, args.question, k=args.k, filters=filters(args), llm=llm):
            if isinstance(item, Answer):
                answer = item
            elif streaming:
                streamed.append(item)
                print(item, end="", flush=True)
    if args.json:
        print_json(answer.to_dict())
        return 0
    if not streaming:
        print(answer.text)
    elif "".join(streamed).strip() != answer.text.strip():
        # The model's draft had citations to drop or renumber, or it failed: show what holds up.
        print("\n\nChecked answer:" if streamed else "")
        print(answer.text)
    print()
    for citation in answer.citations:
        byline = ", ".join(part for part in (citation.source, citation.published) if part)
        print(f"[{citation.number}] {citation.title or citation.article_id}" + (f" — {byline}" if byline else ""))
        if citation.url:
            print(f"    {citation.url}")
        page = f", p. {citation.page}" if citation.page else ""
        print(f"    {citation.article_id} chars {citation.start}-{citation.end}{page}")
    if answer.kind == "none" and answer.hits:
        print("closest passages:")
        for rank, hit in enumerate(answer.hits, 1):
            print(f"{rank}. {hit.title or hit.article_id} — {' '.join(hit.text.split())[:200]}")
    return 0
