#!/usr/bin/env bash
# Sets up the product and answers a question from the command line:
#   bash scripts/run.sh "設備を入れたいので低金利で借りたい"
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
.venv/bin/navigator ingest
.venv/bin/navigator ask "${1:-従業員4人の美容室ですがマル経は使えますか}"
