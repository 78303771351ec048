#!/usr/bin/env bash
# One command: set up everything on a fresh machine, then run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# shellcheck disable=SC1091
. .venv/bin/activate

echo "== cargo test (kernels, drivers, hw-sim; without Python)"
cargo test --release --workspace

echo "== the real DAHDI kernel under QEMU: the dahdi backend's behaviour suite (ci/qemu/README.md)"
bash ci/qemu/run.sh

echo "== pytest"
python -m pytest "$@"
