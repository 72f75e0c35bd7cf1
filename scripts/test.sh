#!/usr/bin/env bash
# Sets up everything the tests need on a fresh machine, then runs the linter and every test.
set -euo pipefail
cd "$(dirname "$0")/.."

# The browser tests (tests/test_widget_browser.py) drive the system Chromium, with Japanese and emoji
# fonts so that screenshots show text. Installed here when missing (CI runs as root on a fresh machine).
if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test: chromium and fonts-noto-cjk are missing; as root: apt-get install chromium fonts-noto-cjk fonts-noto-color-emoji" >&2
    exit 1
  fi
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      chromium fonts-noto-cjk fonts-noto-color-emoji >/dev/null; } ||
    { echo "test: could not install chromium and the fonts with apt-get" >&2; exit 1; }
fi
command -v chromium >/dev/null 2>&1 || { echo "test: chromium is still missing" >&2; exit 1; }
# The store's tests also run against a real PostgreSQL: the Debian package's initdb and pg_ctl, started
# by the test fixtures (tests/postgres.py) as the postgres user in a temporary folder.
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test: PostgreSQL is missing; as root: apt-get install postgresql" >&2
    exit 1
  fi
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; } ||
    { echo "test: could not install postgresql with apt-get" >&2; exit 1; }
fi
bash scripts/setup.sh --dev
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python -m pytest "$@"
# The ingest, ask and chat tests again, against a real Chroma server (`chroma run` on 127.0.0.1).
NAVIGATOR_TEST_CHROMA=server .venv/bin/python -m pytest "$@" \
  tests/test_ingest.py tests/test_ask.py tests/test_conversation.py tests/test_safe_reingest.py \
  tests/test_api.py tests/test_admin_ingest.py
# The store, conversation, console, Slack and job tests again, with every store on PostgreSQL (a fresh
# database per test on one server the fixtures start); tests/test_store.py, tests/test_two_hosts.py and
# tests/test_console_sessions.py always do.
NAVIGATOR_TEST_DB=postgresql .venv/bin/python -m pytest "$@" \
  tests/test_conversation.py tests/test_ask.py tests/test_api.py tests/test_jobs.py tests/test_admin_ingest.py \
  tests/test_console_security.py \
  tests/test_slack_blocks.py tests/test_slack_http.py tests/test_slack_ack.py tests/test_slack_socket_mode.py
