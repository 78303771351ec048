#!/usr/bin/env bash
# One command: set up everything on a fresh machine, then run the demonstration.
# Until the daemon lands this is the DSP core on a simulated A-law E1 channel.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m cti_daemon.dsp.demo "$@"
