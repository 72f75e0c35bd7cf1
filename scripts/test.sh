#!/usr/bin/env bash
# Sets up everything the tests need on a fresh machine, then runs the linter and every test.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh --dev
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python -m pytest "$@"
