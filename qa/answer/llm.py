"""A minimal client for OpenAI-compatible chat servers (llama.cpp's server, llama-cpp-python, Ollama, vLLM).

Only streaming chat completions are needed, so this speaks the protocol with httpx directly: POST
{base}/chat/completions with "stream": true, then read server-sent events ``data: {json}`` until
``data: [DONE]``. Configured by a qa.config.LLMConfig: from arguments (``qa ask --llm-url``) or from QA_LLM_URL,
QA_LLM_MODEL and QA_LLM_API_KEY, so that the chat and the REST API use the same endpoint as the command line.
"""

from __future__ import annotations

import json
from typing import Iterator, Sequence

import httpx

from qa.config import LLMConfig
from qa.errors import QAError

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": "..."}


class LLMError(QAError):
    """The endpoint could not be reached, refused the request, or sent something unreadable."""


def stream_chat(config: LLMConfig, messages: Sequence[Message]) -> Iterator[str]:
    """The model's reply, piece by piece as the server streams it. Raises LLMError on any failure."""
    body = {
        "model": config.model or "default",
        "messages": list(messages),
        "stream": True,
        "max_tokens": config.max_tokens,
        "temperature": config.temperature,
    }
    headers = {"Authorization": f"Bearer {config.api_key}"} if config.api_key else {}
    try:
        with httpx.Client(timeout=config.timeout) as client:
            with client.stream("POST", config.completions_url, json=body, headers=headers) as response:
                if response.status_code != 200:
                    response.read()
                    raise LLMError(f"{config.completions_url}: HTTP {response.status_code}: {response.text[:200]}")
                yield from _deltas(response.iter_lines())
    except httpx.HTTPError as error:
        raise LLMError(f"{config.completions_url}: {type(error).__name__}: {error}") from None


def _deltas(lines: Iterator[str]) -> Iterator[str]:
    for line in lines:
        if not line.startswith("data:"):
            continue  # blank separators, comments, "event:" lines
        data = line[len("data:"):].strip()
        if data == "[DONE]":
            return
        try:
            choice = json.loads(data)["choices"][0]
        except (ValueError, KeyError, IndexError, TypeError):
            raise LLMError(f"unreadable server event: {data[:200]}") from None
        piece = (choice.get("delta") or {}).get("content")
        if piece:
            yield piece
