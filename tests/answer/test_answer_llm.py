"""The OpenAI-compatible streaming client (qa/answer/llm.py) and its configuration (qa.config.LLMConfig)."""

from __future__ import annotations

import pytest

from llm_servers import ScriptedServer
from qa.answer.llm import LLMError, stream_chat
from qa.config import LLMConfig


def test_the_completions_url_accepts_a_base_with_or_without_v1() -> None:
    assert LLMConfig("http://h:8080").completions_url == "http://h:8080/v1/chat/completions"
    assert LLMConfig("http://h:8080/v1/").completions_url == "http://h:8080/v1/chat/completions"
    assert LLMConfig("http://h/api/chat/completions").completions_url == "http://h/api/chat/completions"


def test_stream_chat_reports_http_errors_as_llm_errors(scripted: ScriptedServer) -> None:
    scripted.status = 503
    with pytest.raises(LLMError, match="HTTP 503"):
        list(stream_chat(LLMConfig(scripted.url), [{"role": "user", "content": "hi"}]))


# -- a real local model -------------------------------------------------------------------------------


def test_a_real_model_streams_through_stream_chat(llama_server: str) -> None:
    config = LLMConfig(llama_server, model="smollm2", max_tokens=24)
    pieces = list(stream_chat(config, [{"role": "user", "content": "Name a city in Switzerland."}]))
    assert len(pieces) > 1 and "".join(pieces).strip()
