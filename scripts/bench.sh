#!/usr/bin/env bash
# Set up, then run the benchmarks and write BENCHMARKS.md. Arguments go to
# benchmarks/run.py (e.g. --only g711 dtmf).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# shellcheck disable=SC1091
. .venv/bin/activate
python benchmarks/run.py "$@"
