#!/usr/bin/env bash
# Sets up the product and starts the web server: API, chat widget and its demo page, staff view.
#   bash scripts/run.sh                  serves http://127.0.0.1:8000/ (the address is printed)
#   bash scripts/run.sh "質問"           answers one question on the command line instead
# The first start ingests knowledge/; NAVIGATOR_HOST and NAVIGATOR_PORT choose another address.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
if [ $# -gt 0 ]; then
  .venv/bin/navigator ingest
  exec .venv/bin/navigator ask "$1"
fi
exec .venv/bin/navigator serve
