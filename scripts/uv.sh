#!/usr/bin/env bash
# Prints the path of the uv that lock/uv.txt pins, after installing it (with pip, hash-checked) into
# .tools/uv-VERSION/ if it is not there yet. uv resolves (scripts/lock.sh) and installs (scripts/install.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
version="$(sed -n 's/^uv==\([^ ]*\).*/\1/p' lock/uv.txt)"
tool=".tools/uv-$version"
if [ ! -x "$tool/bin/uv" ]; then
    rm -rf "$tool"
    python3 -m venv "$tool"
    # Hash-checking mode whenever lock/uv.txt has hashes (scripts/lock.sh writes them).
    "$tool/bin/python" -m pip install --quiet --disable-pip-version-check -r lock/uv.txt >&2
fi
echo "$PWD/$tool/bin/uv"
