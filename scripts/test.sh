#!/usr/bin/env bash
# Sets up everything the tests need on a fresh machine, then runs the linter and every test.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh --dev
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python -m pytest "$@"
# The ingest, ask and chat tests again, against a real Chroma server (`chroma run` on 127.0.0.1).
NAVIGATOR_TEST_CHROMA=server .venv/bin/python -m pytest "$@" \
  tests/test_ingest.py tests/test_ask.py tests/test_conversation.py tests/test_safe_reingest.py
