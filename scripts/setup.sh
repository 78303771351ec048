#!/usr/bin/env bash
# Sets up everything the project needs on a fresh machine: Debian packages,
# a virtualenv in .venv and the Rust extension built into it (release mode).
# Safe to run again; it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# tshark: the independent dissector the signalling tests check our traces with.
# dahdi-source: /usr/include/dahdi/user.h for the DAHDI ABI check (drivers/tests/abi_check.rs).
# libpri-dev: libpri as the independent far end of the ISDN interoperability tests (tests/libpri_peer).
APT_PACKAGES=(espeak-ng sox libspandsp-dev pkg-config tshark dahdi-source libpri-dev)
missing=()
for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "== installing Debian packages: ${missing[*]}"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
    echo "== creating .venv"
    python3 -m venv .venv
fi
# shellcheck disable=SC1091
. .venv/bin/activate
python -m pip install -q --upgrade pip >/dev/null
python -m pip install -q "maturin>=1.5,<2" "numpy>=1.24" "pytest>=8" "hypothesis>=6.100" \
    click prometheus-client pyserial pyudev sqlite-utils

echo "== building the native extension (release)"
maturin develop --release -q
