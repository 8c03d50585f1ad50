#!/usr/bin/env bash
# Installs article-qa, builds ./index from data/sample/ if there is none, and serves the web chat.
# Extra arguments go to app.py (e.g. --port 8000).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
exec .venv/bin/python app.py "$@"
